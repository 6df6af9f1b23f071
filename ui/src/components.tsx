// Small pieces every page uses.
import type { ComponentChildren } from 'preact';
import type { ApiError } from './api';
import type { Status } from './health';

export const Badge = ({ status }: { status: string }) => <span class={`badge ${status}`}>{status}</span>;

export const Tags = ({ tags }: { tags: string[] | null | undefined }) =>
  tags?.length ? <span class="tags">{tags.map((t) => <span class="tag">{t}</span>)}</span> : null;

export function ErrorBox({ error }: { error: ApiError }) {
  const denied = error.status === 403;
  return (
    <div class={`error ${denied ? 'denied' : ''}`} role="alert">
      <strong>{denied ? 'Not allowed' : error.status === 404 ? 'Not found' : `Error ${error.status || ''}`}</strong>
      <div class="error-text">{error.message}</div>
    </div>
  );
}

export const Loading = () => <p class="muted" aria-live="polite">Loading…</p>;

export const Page = ({ title, children, actions }: { title: ComponentChildren; children: ComponentChildren; actions?: ComponentChildren }) => (
  <section class="page">
    <div class="page-head">
      <h1>{title}</h1>
      {actions}
    </div>
    {children}
  </section>
);

export const HealthCounts = ({ passing, warning, critical }: Record<Status, number>) => (
  <span class="counts" aria-label={`${passing} passing, ${warning} warning, ${critical} critical`}>
    <span class="count passing" title="passing">✓ {passing}</span>
    <span class="count warning" title="warning">! {warning}</span>
    <span class="count critical" title="critical">✕ {critical}</span>
  </span>
);

export const KeyValues = ({ values, label }: { values: Record<string, string> | null | undefined; label: string }) => {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return <p class="muted">No {label}.</p>;
  return (
    <dl class="kv-list">
      {entries.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  );
};
