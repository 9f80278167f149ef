import { type FormEvent, useState } from 'react';
import { actOnCase, type CaseAction, type CaseActionInput, type CaseDetailView } from '../../api/cases.ts';
import { ApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

/** Which fields each action asks for (the workflow's guards: src/cases/workflow.ts). */
const fieldsOf: Partial<Record<CaseAction, readonly ('note' | 'reason' | 'target' | 'until' | 'satisfaction')[]>> = {
  register: ['note'],
  dispatch: ['target', 'note'],
  transfer: ['target', 'note'],
  accept: [],
  handle: ['note'],
  verify: ['note'],
  close: ['note'],
  rework: ['reason'],
  void: ['reason'],
  return: ['reason'],
  requestExtension: ['reason', 'until'],
  grantExtension: ['until', 'note'],
  refuseExtension: ['reason'],
  evaluate: ['satisfaction', 'note'],
};

/** Props of the action panel. */
export type ActionPanelProps = {
  detail: CaseDetailView;
  /** Actions this screen offers (the API's `availableActions` further limits them). */
  offered: readonly CaseAction[];
  onDone: (after: CaseDetailView) => void;
  /** Sends the action; by default straight to the API (the worker app queues it instead). */
  send?: (id: string, input: CaseActionInput) => Promise<CaseDetailView | null>;
  /** People to dispatch or transfer to, when the viewer may list them (`GET /api/users`). */
  targets?: readonly { id: string; name: string }[];
  /** Extra content of the form of one action (the worker's photo notice). */
  extra?: Partial<Record<CaseAction, React.ReactNode>>;
};

/** A datetime-local value → an ISO instant with offset (the API's `until`). */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isFinite(d.getTime()) ? d.toISOString() : undefined;
}

/**
 * The workflow actions the viewer may take on a case, each a button; an action that needs a
 * note, reason, target or date opens its small form. Errors (409 state changed, 403, 400) show
 * the API's problem text.
 */
export function ActionPanel({ detail, offered, onDone, send, extra, targets }: ActionPanelProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState<CaseAction | null>(null);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [target, setTarget] = useState('');
  const [auto, setAuto] = useState(true);
  const [until, setUntil] = useState('');
  const [satisfaction, setSatisfaction] = useState<'satisfied' | 'basically_satisfied' | 'unsatisfied'>('satisfied');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const actions = detail.availableActions.filter((a) => offered.includes(a));

  const submit = async (action: CaseAction, e?: FormEvent) => {
    e?.preventDefault();
    const fields = fieldsOf[action] ?? [];
    const input: CaseActionInput = { action };
    if (fields.includes('note') && note.trim()) input.note = note.trim();
    if (fields.includes('reason')) input.reason = reason.trim();
    if (fields.includes('target')) {
      if (auto && action === 'dispatch') input.auto = true;
      else input.targetId = target.trim();
    }
    if (fields.includes('until')) input.until = isoOf(until);
    if (fields.includes('satisfaction')) input.satisfaction = satisfaction;
    setBusy(true);
    setMessage(null);
    try {
      const after = await (send ?? actOnCase)(detail.id, input);
      setOpen(null);
      setNote('');
      setReason('');
      setMessage(t(after ? 'case.actionDone' : 'case.actionQueued', { action: t(`caseAction.${action}`) }));
      if (after) onDone(after);
    } catch (err) {
      setMessage(t('case.actionFailed', { message: err instanceof ApiError ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  if (actions.length === 0) return <p className="muted">{t('case.noActions')}</p>;
  const fields = open ? (fieldsOf[open] ?? []) : [];
  return (
    <div className="actions">
      <div className="actions__buttons">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            data-action={a}
            className={`button ${open === a ? 'button--primary' : ''}`}
            disabled={busy}
            onClick={() => ((fieldsOf[a] ?? []).length === 0 ? void submit(a) : setOpen(open === a ? null : a))}
          >
            {t(`caseAction.${a}`)}
          </button>
        ))}
      </div>
      {open && (
        <form className="actions__form" data-form={open} onSubmit={(e) => void submit(open, e)}>
          {fields.includes('target') && (
            <>
              {open === 'dispatch' && (
                <label className="check">
                  <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} />
                  {t('case.auto')}
                </label>
              )}
              {!(open === 'dispatch' && auto) && (
                <div className="field">
                  {t('case.targetId')}
                  {targets?.length ? (
                    <select
                      name="targetId"
                      aria-label={t('case.targetId')}
                      value={target}
                      onChange={(e) => setTarget(e.target.value)}
                      required
                    >
                      <option value="" />
                      {targets.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      name="targetId"
                      aria-label={t('case.targetId')}
                      value={target}
                      onChange={(e) => setTarget(e.target.value)}
                      required
                    />
                  )}
                </div>
              )}
            </>
          )}
          {fields.includes('reason') && (
            <label>
              {t('case.reason')}
              <textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
            </label>
          )}
          {fields.includes('until') && (
            <label>
              {t('case.until')}
              <input
                name="until"
                type="datetime-local"
                value={until}
                onChange={(e) => setUntil(e.target.value)}
                required
              />
            </label>
          )}
          {fields.includes('satisfaction') && (
            <div className="choices" role="radiogroup">
              {(['satisfied', 'basically_satisfied', 'unsatisfied'] as const).map((s) => (
                <label key={s} className="check">
                  <input
                    type="radio"
                    name="satisfaction"
                    value={s}
                    checked={satisfaction === s}
                    onChange={() => setSatisfaction(s)}
                  />
                  {t(`satisfaction.${s}`)}
                </label>
              ))}
            </div>
          )}
          {fields.includes('note') && (
            <label>
              {t('case.note')}
              <textarea name="note" value={note} onChange={(e) => setNote(e.target.value)} />
            </label>
          )}
          {extra?.[open]}
          <button type="submit" className="button button--primary" disabled={busy}>
            {t('case.submit')}
          </button>
        </form>
      )}
      {message && (
        <p className="actions__message" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
