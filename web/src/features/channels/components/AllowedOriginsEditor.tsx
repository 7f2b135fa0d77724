import { useId, useState } from 'react';
import { Button } from '../../../components/Button';
import styles from './WidgetPage.module.css';

/** Mirrors the server's rule: scheme://host[:port], http or https, no path, query or credentials. */
export function originProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `"${value}" is not an origin like https://shop.example`;
  }
  if (!['http:', 'https:'].includes(url.protocol)) return 'An origin starts with https:// or http://';
  if (url.pathname !== '/' || url.search || url.hash || url.username) {
    return `"${value}" is not an origin like https://shop.example (no path)`;
  }
  return null;
}

interface Props {
  origins: string[];
  onChange: (origins: string[]) => void;
  /** The API's complaint about the list, if the last save failed on it. */
  error?: string | null;
}

/** The pages allowed to run the widget: add one at a time (checked as typed), remove any. */
export function AllowedOriginsEditor({ origins, onChange, error }: Props) {
  const id = useId();
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const add = () => {
    const text = value.trim();
    if (!text) {
      setProblem('Type an origin such as https://shop.example');
      return;
    }
    const found = originProblem(text);
    if (found) {
      setProblem(found);
      return;
    }
    const origin = new URL(text).origin;
    if (origins.includes(origin)) {
      setProblem(`${origin} is already in the list`);
      return;
    }
    onChange([...origins, origin]);
    setValue('');
    setProblem(null);
  };
  const shown = problem ?? error ?? null;
  return (
    <fieldset className={styles.fieldset}>
      <legend>Allowed origins</legend>
      <p className="field-hint" id={`${id}-hint`}>
        The websites whose pages may run the widget. With none listed, any website may.
      </p>
      {origins.length === 0 ? (
        <p className={styles.emptyList}>Any website may use the widget.</p>
      ) : (
        <ul className={styles.originList} aria-label="Allowed origins">
          {origins.map((origin) => (
            <li key={origin}>
              <code>{origin}</code>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Remove ${origin}`}
                onClick={() => onChange(origins.filter((entry) => entry !== origin))}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div className={styles.addRow}>
        <label htmlFor={`${id}-input`} className="visually-hidden">
          New allowed origin
        </label>
        <input
          id={`${id}-input`}
          type="url"
          inputMode="url"
          placeholder="https://shop.example"
          value={value}
          aria-invalid={shown ? true : undefined}
          aria-describedby={[`${id}-hint`, shown ? `${id}-error` : ''].join(' ').trim()}
          onChange={(event) => {
            setValue(event.target.value);
            setProblem(null);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            }
          }}
        />
        <Button onClick={add}>Add origin</Button>
      </div>
      {shown ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {shown}
        </p>
      ) : null}
    </fieldset>
  );
}
