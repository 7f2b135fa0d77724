import { useEffect, useRef, useState, type Ref } from 'react';
import type { AgentSummary, TagSummary } from '../../api/tickets-list';
import { CHANNELS, PRIORITIES, SORTS, type InboxParams } from '../../hooks/use-inbox-params';
import styles from './InboxFilters.module.css';

const CHANNEL_LABEL = { widget: 'Chat widget', email: 'Email', telegram: 'Telegram', api: 'API' } as const;
const PRIORITY_LABEL = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' } as const;
const ME = '__me';
const NOBODY = '__unassigned';

interface InboxFiltersProps {
  params: InboxParams;
  update: (change: Partial<InboxParams>, options?: { replace?: boolean }) => void;
  /** The org's agents (empty while loading); the active ones are offered. */
  agents: AgentSummary[];
  myId: string;
  tags: TagSummary[];
  searchRef: Ref<HTMLInputElement>;
}

/** Search, filters and sort above the list; every change goes to the URL. */
export function InboxFilters({ params, update, agents, myId, tags, searchRef }: InboxFiltersProps) {
  const [text, setText] = useState(params.q);
  const sent = useRef(params.q);
  // The URL changed from elsewhere (Clear, back button): show what it says.
  useEffect(() => {
    if (params.q !== sent.current) {
      sent.current = params.q;
      setText(params.q);
    }
  }, [params.q]);
  useEffect(() => {
    if (text === sent.current) return;
    const timer = window.setTimeout(() => {
      sent.current = text;
      update({ q: text }, { replace: true });
    }, 250);
    return () => window.clearTimeout(timer);
  }, [text, update]);

  const assigneeValue = params.view === 'mine' ? ME : params.view === 'unassigned' ? NOBODY : params.assignee;
  const activeColleagues = agents.filter((agent) => agent.active && agent.id !== myId);
  const nameOf = (id: string) => {
    const agent = agents.find((candidate) => candidate.id === id);
    if (!agent) return 'Another agent';
    return agent.active ? agent.name : `${agent.name} (deactivated)`;
  };
  const filtered =
    params.channel || params.priority || params.tag || params.assignee || params.q || params.view !== 'all';
  return (
    <div className={styles.toolbar}>
      <form
        role="search"
        className={styles.search}
        onSubmit={(event) => {
          event.preventDefault();
          sent.current = text;
          update({ q: text }, { replace: true });
        }}
      >
        <label htmlFor="inbox-search" className="visually-hidden">
          Search tickets
        </label>
        <input
          id="inbox-search"
          ref={searchRef}
          type="search"
          placeholder="Search subject, messages, customer…  ( / )"
          value={text}
          onChange={(event) => setText(event.target.value)}
          autoComplete="off"
        />
      </form>
      <Select
        label="Channel"
        value={params.channel}
        onChange={(value) => update({ channel: value as InboxParams['channel'] })}
        options={[
          { value: '', label: 'All channels' },
          ...CHANNELS.map((channel) => ({ value: channel, label: CHANNEL_LABEL[channel] })),
        ]}
      />
      <Select
        label="Assignee"
        value={assigneeValue}
        onChange={(value) => {
          if (value === ME) update({ view: 'mine' });
          else if (value === NOBODY) update({ view: 'unassigned' });
          else if (value === '') update({ view: 'all', assignee: '' });
          else update({ assignee: value });
        }}
        options={[
          { value: '', label: 'Anyone' },
          { value: ME, label: 'Me' },
          { value: NOBODY, label: 'Unassigned' },
          ...activeColleagues.map((agent) => ({ value: agent.id, label: agent.name })),
          // A shared link may name a deactivated agent, or one this list does not hold (yet).
          ...(params.assignee && !activeColleagues.some((agent) => agent.id === params.assignee)
            ? [{ value: params.assignee, label: nameOf(params.assignee) }]
            : []),
        ]}
      />
      <Select
        label="Tag"
        value={params.tag}
        onChange={(value) => update({ tag: value })}
        options={[
          { value: '', label: 'Any tag' },
          ...tags.map((tag) => ({ value: tag.name, label: tag.name })),
          ...(params.tag && !tags.some((tag) => tag.name === params.tag)
            ? [{ value: params.tag, label: params.tag }]
            : []),
        ]}
      />
      <Select
        label="Priority"
        value={params.priority}
        onChange={(value) => update({ priority: value as InboxParams['priority'] })}
        options={[
          { value: '', label: 'Any priority' },
          ...PRIORITIES.map((priority) => ({ value: priority, label: PRIORITY_LABEL[priority] })),
        ]}
      />
      <Select
        label="Sort"
        value={params.sort}
        onChange={(value) => update({ sort: value as InboxParams['sort'] })}
        options={SORTS}
      />
      {filtered ? (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => update({ view: 'all', channel: '', assignee: '', tag: '', priority: '', q: '' })}
        >
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

function Select({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
}) {
  const id = `inbox-filter-${label.toLowerCase()}`;
  return (
    <div className={styles.select}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
