import type { KpiCaseRow } from './kpi-store.ts';
import type { KpiCounts } from './kpis.ts';

// How each KPI count is derived from cases, for a period [from, to) and a place subtree (and
// department). "By the end" means at min(to, now): a report on a past month is a snapshot of
// that month's end. Formulas of the ratios: kpis.ts.
//
// | count                      | cases counted                                                                |
// | -------------------------- | ---------------------------------------------------------------------------- |
// | reported 上报数             | reported (created) in the period                                             |
// | received 受理数             | = reported: every report is accepted into the system when it arrives         |
// | validReported 有效上报数    | reported in the period and not voided (作废)                                  |
// | registered 立案数           | registered (立案, or 自行处置) in the period                                   |
// | inspectorReported          | of registered: from patrols (grid workers) and device alarms                 |
// | publicReported             | of registered: from residents, the 12345 hotline, enterprises                |
// | dueDispatch 应派遣数         | first dispatched in the period                                               |
// | dispatchedAccurately       | of those: never transferred or returned (回退/转派 = inaccurate dispatch)      |
// | dueHandling 应处置数         | handling deadline (after extensions, rework) in the period, not voided       |
// | handled 处置数              | of due: handled by the end (a reworked case counts once re-handled)          |
// | handledOnTime 按期处置数     | of due: handled no later than the deadline                                   |
// | overdueUnhandled 超期待处置  | of due: deadline passed by the end and not handled by the end (red lights)   |
// | extended 延期数              | of due: an extension was granted                                             |
// | dueClosing 应结案数          | = dueHandling: the cases due in the period                                   |
// | closed 结案数               | of due: closed (结案) by the end                                              |
// | closedOnTime 按期结案数      | of due: closed no later than the handling deadline                           |
// | closedOverdue 超期结案数     | closed − closedOnTime                                                        |
// | unclosed 未结案数            | reported in the period, not voided, not closed by the end                    |
// | reworked 返工数             | of due: reworked (返工) at least once                                          |
// | evaluated 评价数            | evaluated (评价/回访) in the period                                            |
// | satisfied 满意数            | of those: 满意 or 基本满意                                                      |
// Mean response time: received (dispatch) → accepted (签收), over cases accepted in the period.
// Mean handling time: received (dispatch, or report for 自行处置) → handled, over cases handled in the period.
// Not counted yet (no time limits for these steps): registeredOnTime, dispatchedOnTime,
// dueVerification, verifiedOnTime — their KPIs come out null.

/** A KPI period and the moment the counts are taken. */
export type KpiPeriod = { from: Date; to: Date; now: Date };

/** The counts and mean times of a set of cases for a period. */
export type CaseCounts = {
  counts: KpiCounts;
  meanResponseMinutes: number | null;
  meanHandlingMinutes: number | null;
};

const inspectorSources = ['patrol', 'alarm'];

/** Counts cases for the KPIs (see the table above). Pure. */
export function countCases(rows: readonly KpiCaseRow[], period: KpiPeriod): CaseCounts {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const end = Math.min(to, period.now.getTime());
  const t = (s: string | null): number | null => (s === null ? null : Date.parse(s));
  const within = (s: string | null) => {
    const v = t(s);
    return v !== null && v >= from && v < to;
  };
  const byEnd = (s: string | null) => {
    const v = t(s);
    return v !== null && v <= end;
  };
  const reported = rows.filter((r) => within(r.created_at));
  const registered = rows.filter((r) => within(r.registered_at));
  const dispatched = rows.filter((r) => within(r.dispatched_at));
  const due = rows.filter((r) => within(r.handle_by) && r.voided_at === null);
  const handled = due.filter((r) => byEnd(r.handled_at));
  const closed = due.filter((r) => byEnd(r.closed_at));
  const closedOnTime = closed.filter((r) => (t(r.closed_at) ?? 0) <= (t(r.handle_by) ?? 0));
  const evaluated = rows.filter((r) => within(r.evaluated_at));
  const mean = (pairs: [number | null, number | null][]) => {
    const spans = pairs.filter((p): p is [number, number] => p[0] !== null && p[1] !== null).map(([a, b]) => b - a);
    return spans.length === 0 ? null : Math.round((spans.reduce((s, x) => s + x, 0) / spans.length / 60_000) * 10) / 10;
  };
  return {
    counts: {
      reported: reported.length,
      received: reported.length,
      validReported: reported.filter((r) => r.voided_at === null).length,
      registered: registered.length,
      inspectorReported: registered.filter((r) => inspectorSources.includes(r.source)).length,
      publicReported: registered.filter((r) => !inspectorSources.includes(r.source)).length,
      dueDispatch: dispatched.length,
      dispatchedAccurately: dispatched.filter((r) => r.dispatch_accurate === 1).length,
      dueHandling: due.length,
      handled: handled.length,
      handledOnTime: handled.filter((r) => (t(r.handled_at) ?? 0) <= (t(r.handle_by) ?? 0)).length,
      overdueUnhandled: due.filter((r) => (t(r.handle_by) ?? 0) < end && !byEnd(r.handled_at)).length,
      extended: due.filter((r) => r.extension_count > 0).length,
      dueClosing: due.length,
      closed: closed.length,
      closedOnTime: closedOnTime.length,
      closedOverdue: closed.length - closedOnTime.length,
      unclosed: reported.filter((r) => r.voided_at === null && !byEnd(r.closed_at)).length,
      reworked: due.filter((r) => r.rework_count > 0).length,
      evaluated: evaluated.length,
      satisfied: evaluated.filter((r) => r.satisfaction === 'satisfied' || r.satisfaction === 'basically_satisfied')
        .length,
    },
    meanResponseMinutes: mean(
      rows.filter((r) => within(r.accepted_at)).map((r) => [t(r.received_at), t(r.accepted_at)]),
    ),
    meanHandlingMinutes: mean(rows.filter((r) => within(r.handled_at)).map((r) => [t(r.received_at), t(r.handled_at)])),
  };
}
