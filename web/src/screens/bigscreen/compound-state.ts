/**
 * How a compound (小区/院落) is coloured on the big screen. The colour is the output of one
 * replaceable rule over the compound's facts, so the closed loop's facts (open alarms, open
 * cases, overdue cases) plug in as another rule without touching the map.
 */

/** The states the map can show, mildest first. */
export const compoundStates = ['normal', 'attention', 'alert', 'unknown'] as const;
export type CompoundState = (typeof compoundStates)[number];

/** What is known about a compound now. Optional facts come from APIs that may not exist yet. */
export type CompoundFacts = {
  devices: number;
  online: number;
  offline: number;
  /** Devices that never reported (no telemetry yet). */
  unknown: number;
  /** Open alarms (from the alarm API, when present). */
  openAlarms?: number;
  /** Open cases and overdue ones (from the case API, when present). */
  openCases?: number;
  overdueCases?: number;
};

/** A rule that colours a compound. */
export type CompoundStateRule = (facts: CompoundFacts) => CompoundState;

/** Offline share from which a compound needs attention, and from which it is an alert. */
export const offlineThresholds = { attention: 0.1, alert: 0.3 } as const;

/**
 * Today's rule: the share of offline devices among those that ever reported. A compound whose
 * devices never reported (or that has none) is `unknown`, shown neutral — not as healthy.
 */
export const deviceOfflineRule: CompoundStateRule = (f) => {
  const reported = f.online + f.offline;
  if (reported === 0) return 'unknown';
  const share = f.offline / reported;
  if (share >= offlineThresholds.alert) return 'alert';
  if (share >= offlineThresholds.attention) return 'attention';
  return 'normal';
};

/**
 * The closed loop's rule, for when alarms and cases are known: overdue cases → alert; open alarms
 * or cases → attention; otherwise the device rule. Facts that are absent fall through.
 */
export const closedLoopRule: CompoundStateRule = (f) => {
  if ((f.overdueCases ?? 0) > 0) return 'alert';
  if ((f.openAlarms ?? 0) > 0 || (f.openCases ?? 0) > 0) {
    return deviceOfflineRule(f) === 'alert' ? 'alert' : 'attention';
  }
  return deviceOfflineRule(f);
};

/** Fill colour of each state on the dark wall display. */
export const compoundStateColours: Record<CompoundState, string> = {
  normal: '#1f7a5c',
  attention: '#c28a1a',
  alert: '#c23b3b',
  unknown: '#27476e',
};
