import { useMemo, useState, type FormEvent } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { CopyButton } from '../../../components/CopyButton';
import { Field } from '../../../components/Field';
import { ErrorState, Loading } from '../../../components/States';
import screen from '../../../components/AdminScreen.module.css';
import { formErrorsOf, NO_FORM_ERRORS, type FormErrors } from '../../../lib/field-errors';
import { useOrganization, useUpdateOrganization, type Organization } from '../api/org';
import styles from './OrganizationPage.module.css';

interface Values {
  name: string;
  supportName: string;
  timeZone: string;
  defaultRateLimit: string;
  codePrefix: string;
}
const FIELDS = {
  name: 'Name',
  supportName: 'Support name',
  timeZone: 'Time zone',
  defaultRateLimit: 'Default rate limit',
  codePrefix: 'Ticket code prefix',
};

function valuesOf(org: Organization): Values {
  return {
    name: org.name,
    supportName: org.supportName,
    timeZone: org.timeZone,
    defaultRateLimit: org.defaultRateLimit === null ? '' : String(org.defaultRateLimit),
    codePrefix: org.codePrefix,
  };
}

export function OrganizationPage() {
  const org = useOrganization();
  return (
    <section aria-labelledby="org-title">
      <div className={screen.header}>
        <div>
          <h1 id="org-title">Organization</h1>
          <p className={screen.lead}>Settings that apply to the whole organization.</p>
        </div>
      </div>
      {org.isPending ? (
        <Loading label="Loading settings…" />
      ) : org.isError ? (
        <ErrorState error={org.error} onRetry={() => void org.refetch()} />
      ) : (
        <OrganizationForm org={org.data} />
      )}
    </section>
  );
}

function OrganizationForm({ org }: { org: Organization }) {
  const update = useUpdateOrganization();
  // Only what the admin typed: untouched fields follow the server, so a change made elsewhere shows.
  const [edits, setEdits] = useState<Partial<Values>>({});
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const saved = valuesOf(org);
  const values: Values = { ...saved, ...edits };
  const dirty = (Object.keys(edits) as Array<keyof Values>).some((key) => edits[key] !== saved[key]);
  const timeZones = useMemo(() => {
    const zones = Intl.supportedValuesOf('timeZone');
    return zones.includes(org.timeZone) ? zones : [org.timeZone, ...zones];
  }, [org.timeZone]);

  const set = (key: keyof Values) => (event: { target: { value: string } }) =>
    setEdits((current) => ({ ...current, [key]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const limit = values.defaultRateLimit.trim();
    if (limit !== '' && !/^\d+$/.test(limit)) {
      setErrors({
        fields: { defaultRateLimit: 'Default rate limit must be a whole number (0 = unlimited)' },
        general: null,
      });
      return;
    }
    setErrors(NO_FORM_ERRORS);
    const body: Record<string, unknown> = {};
    if (values.name !== saved.name) body.name = values.name.trim();
    if (values.supportName !== saved.supportName) body.supportName = values.supportName.trim() || null;
    if (values.timeZone !== saved.timeZone) body.timeZone = values.timeZone;
    if (limit !== saved.defaultRateLimit) body.defaultRateLimit = limit === '' ? null : Number(limit);
    if (values.codePrefix !== saved.codePrefix) body.codePrefix = values.codePrefix.trim().toUpperCase();
    if (Object.keys(body).length === 0) return;
    try {
      await update.mutateAsync(body);
      setEdits({});
      announce('Organization settings saved');
    } catch (caught) {
      setErrors(formErrorsOf(caught, FIELDS));
    }
  };

  return (
    <form
      className={styles.form}
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Organization settings"
    >
      <p className={styles.idRow}>
        Organization id <code>{org.id}</code>
        <CopyButton text={org.id} what="organization id" />
      </p>
      {errors.general ? (
        <p className={styles.alert} role="alert">
          {errors.general}
        </p>
      ) : null}
      <div className={styles.grid}>
        <Field label="Name" error={errors.fields.name}>
          <input value={values.name} onChange={set('name')} maxLength={200} required />
        </Field>
        <Field
          label="Support name"
          hint="The author customers see on replies no person wrote. Empty: the organization’s name."
          error={errors.fields.supportName}
        >
          <input value={values.supportName} onChange={set('supportName')} maxLength={100} />
        </Field>
        <Field
          label="Time zone"
          hint="For dates shown to people, such as time entries."
          error={errors.fields.timeZone}
        >
          <select value={values.timeZone} onChange={set('timeZone')}>
            {timeZones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Default rate limit (requests per minute)"
          hint="For API keys without their own limit, and for agents. Empty: the server default; 0: unlimited."
          error={errors.fields.defaultRateLimit}
        >
          <input
            inputMode="numeric"
            value={values.defaultRateLimit}
            onChange={set('defaultRateLimit')}
            placeholder="Server default"
          />
        </Field>
        <Field
          label="Ticket code prefix"
          hint={`2–10 capital letters or digits, as in ${values.codePrefix || 'ACME'}-42. Changing it changes the code of every ticket.`}
          error={errors.fields.codePrefix}
        >
          <input
            className={styles.prefix}
            value={values.codePrefix}
            onChange={set('codePrefix')}
            maxLength={10}
          />
        </Field>
      </div>
      <div className={styles.footer}>
        <Button type="submit" variant="primary" busy={update.isPending} disabled={!dirty}>
          Save changes
        </Button>
        {dirty ? (
          <Button
            onClick={() => {
              setEdits({});
              setErrors(NO_FORM_ERRORS);
            }}
          >
            Discard
          </Button>
        ) : (
          <span className={styles.changed}>All changes saved</span>
        )}
      </div>
    </form>
  );
}
