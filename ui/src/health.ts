// Health as the lists show it: the worst status wins.
export type Status = 'passing' | 'warning' | 'critical';

export const worst = (statuses: string[]): Status =>
  statuses.includes('critical') ? 'critical' : statuses.includes('warning') ? 'warning' : 'passing';

export const RANK: Record<Status, number> = { critical: 0, warning: 1, passing: 2 };
