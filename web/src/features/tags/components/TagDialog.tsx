import { useState, type FormEvent } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { formErrorsOf, NO_FORM_ERRORS, type FormErrors } from '../../../lib/field-errors';
import { useSaveTag, type Tag } from '../api/tags-admin';
import styles from './TagsPage.module.css';

/** Presets with enough contrast against white text and a light background alike. */
export const PRESET_COLOURS = [
  { hex: '#C4302B', name: 'Red' },
  { hex: '#B45309', name: 'Amber' },
  { hex: '#1D7A3E', name: 'Green' },
  { hex: '#0E7490', name: 'Teal' },
  { hex: '#2B5BD7', name: 'Blue' },
  { hex: '#6D28D9', name: 'Purple' },
  { hex: '#BE185D', name: 'Pink' },
  { hex: '#4B5563', name: 'Grey' },
];

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Create (tag null) or edit a tag: its name and colour (none, a preset, the picker or a hex). */
export function TagDialog({ tag, onClose }: { tag: Tag | null; onClose: () => void }) {
  const save = useSaveTag();
  const [name, setName] = useState(tag?.name ?? '');
  const [colour, setColour] = useState<string | null>(tag?.color ?? null);
  const [hexText, setHexText] = useState(tag?.color ?? '');
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);

  const pick = (next: string | null) => {
    setColour(next);
    setHexText(next ?? '');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const typed = hexText.trim();
    const color = typed === '' ? null : typed.startsWith('#') ? typed : `#${typed}`;
    if (color !== null && !HEX.test(color)) {
      setErrors({
        fields: { color: 'Colour must be a hex colour like #2B5BD7, or empty for none' },
        general: null,
      });
      return;
    }
    setErrors(NO_FORM_ERRORS);
    try {
      const saved = await save.mutateAsync({ id: tag?.id ?? null, body: { name: name.trim(), color } });
      announce(tag ? `Tag ${saved.name} saved` : `Tag ${saved.name} created`);
      onClose();
    } catch (caught) {
      setErrors(formErrorsOf(caught, { name: 'Name', color: 'Colour' }));
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={tag ? `Edit tag “${tag.name}”` : 'Create tag'}
      description={tag ? 'Renaming a tag renames it on every ticket that carries it.' : undefined}
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        {errors.general ? (
          <p className={styles.alert} role="alert">
            {errors.general}
          </p>
        ) : null}
        <Field label="Name" error={errors.fields.name}>
          <input
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={64}
            required
            autoFocus
          />
        </Field>
        <fieldset className={styles.colour}>
          <legend>Colour</legend>
          <div className={styles.presets} role="group" aria-label="Preset colours">
            <button
              type="button"
              className={`${styles.preset} ${styles.none}`}
              aria-pressed={colour === null}
              aria-label="No colour"
              onClick={() => pick(null)}
            />
            {PRESET_COLOURS.map((preset) => (
              <button
                key={preset.hex}
                type="button"
                className={styles.preset}
                style={{ background: preset.hex }}
                aria-pressed={colour?.toUpperCase() === preset.hex}
                aria-label={preset.name}
                onClick={() => pick(preset.hex)}
              />
            ))}
          </div>
          <div className={styles.custom}>
            <label className={styles.pickerLabel}>
              <span>Custom colour</span>
              <input
                type="color"
                className={styles.picker}
                value={colour && HEX.test(colour) ? colour.toLowerCase() : '#2b5bd7'}
                onChange={(event) => pick(event.target.value.toUpperCase())}
              />
            </label>
            <Field
              label="Hex"
              hint="Empty for no colour."
              error={errors.fields.color}
              className={styles.hexField}
            >
              <input
                className={styles.hex}
                value={hexText}
                placeholder="#2B5BD7"
                maxLength={7}
                onChange={(event) => {
                  setHexText(event.target.value);
                  const typed = event.target.value.trim();
                  const candidate = typed.startsWith('#') ? typed : `#${typed}`;
                  if (typed === '') setColour(null);
                  else if (HEX.test(candidate)) setColour(candidate.toUpperCase());
                }}
              />
            </Field>
          </div>
        </fieldset>
        <p className={styles.previewRow}>
          Preview: <TagChip name={name.trim() || 'tag'} color={colour} />
        </p>
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {tag ? 'Save tag' : 'Create tag'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A tag as tickets show it: a coloured dot (if any) and the name. */
export function TagChip({ name, color }: { name: string; color: string | null }) {
  return (
    <span className={styles.chip}>
      {color ? <span className={styles.dot} style={{ background: color }} aria-hidden="true" /> : null}
      {name}
    </span>
  );
}
