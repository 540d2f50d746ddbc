/**
 * The sandbox's fast clock: the SAME shipped workflows, with only the values an owner edits to
 * change timings rewritten so that one minute, hour or day of the real journey lasts one second.
 *
 *   Wait nodes "After Time Interval" (e.g. Wait Before Reminder 1: 45 minutes) → 45 seconds
 *   numeric Set-node settings named after a unit (reminder2MinHours 20 → 20/3600 hours = 20 s,
 *     any *Days / *Hours / *Minutes setting of another workflow, e.g. post-stay, by the same rule)
 *   Wait nodes waiting for the guest (On Webhook Call) with Limit Wait Time: the limit by the same
 *     rule but at least 60 s, so a person has time to answer (Wait for Reply: 1 day → 60 seconds)
 *   quiet hours (quietHoursStart / quietHoursEnd) → 00:00–00:00, i.e. none
 *
 * Nothing else changes: no node is added, removed or re-wired. `applyClock` is what the demo
 * uses; tests that need other compressions can call it too (or change the same values).
 */
import type { WorkflowJson } from '../n8n-runtime';

export type DemoClock = 'fast' | 'real';

export interface TimingChange {
	workflow: string;
	node: string;
	setting: string;
	from: string;
	to: string;
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
/** A numeric setting whose name says its unit: reminder2MinHours, reviewDelayDays, holdMinutesMax… */
const UNIT_IN_NAME = /(seconds|minutes|hours|days)/i;
const QUIET_HOURS = /^quietHours(Start|End)$/;
/** A limit on waiting for the guest's reply never drops below this. */
export const REPLY_FLOOR_SECONDS = 60;

type NodeJson = { name: string; type: string; parameters?: Record<string, unknown> };
type Assignment = { name: string; value: unknown; type?: string };

/** `DEMO_CLOCK=real` or `--real-time` → real timings; anything else (the default) → fast. */
export function clockFromEnv(
	argv: string[] = process.argv,
	env: NodeJS.ProcessEnv = process.env,
): DemoClock {
	if (argv.includes('--real-time')) return 'real';
	if (argv.includes('--fast')) return 'fast';
	const value = (env.DEMO_CLOCK ?? 'fast').trim().toLowerCase();
	if (value !== 'fast' && value !== 'real')
		throw new Error(`DEMO_CLOCK must be "fast" or "real", not "${env.DEMO_CLOCK}"`);
	return value;
}

const plural = (n: number, unit: string) => `${n} ${n === 1 ? unit.replace(/s$/, '') : unit}`;

/**
 * Rewrites `workflow` in place for the given clock and returns what changed (empty for 'real').
 * Pure: works on exported workflow JSON, before it is imported.
 */
export function applyClock(workflow: WorkflowJson, clock: DemoClock): TimingChange[] {
	if (clock === 'real') return [];
	const changes: TimingChange[] = [];
	const change = (node: string, setting: string, from: string, to: string) =>
		changes.push({ workflow: workflow.name, node, setting, from, to });

	for (const node of workflow.nodes as NodeJson[]) {
		const parameters = node.parameters ?? {};
		if (node.type === 'n8n-nodes-base.wait') {
			const resume = (parameters.resume as string | undefined) ?? 'timeInterval';
			if (resume !== 'timeInterval') {
				// Waiting for the guest (On Webhook Call / form) with a time limit: the limit shrinks too,
				// but never below a minute, so a person in the sandbox has time to read and tap.
				if (
					!parameters.limitWaitTime ||
					(parameters.limitType ?? 'afterTimeInterval') !== 'afterTimeInterval'
				)
					continue;
				const unit = (parameters.resumeUnit as string | undefined) ?? 'hours';
				const amount = (parameters.resumeAmount as number | undefined) ?? 1;
				if (!(unit in UNIT_SECONDS) || typeof amount !== 'number') continue;
				const seconds = Math.max(amount, REPLY_FLOOR_SECONDS);
				if (unit === 'seconds' && seconds === amount) continue;
				node.parameters = { ...parameters, resumeAmount: seconds, resumeUnit: 'seconds' };
				change(
					node.name,
					'Limit Wait Time',
					plural(amount, unit),
					`${plural(seconds, 'seconds')}${seconds > amount ? ' (at least a minute to reply)' : ''}`,
				);
				continue;
			}
			// n8n's Wait node defaults: amount 1, unit hours.
			const unit = (parameters.unit as string | undefined) ?? 'hours';
			if (unit === 'seconds' || !(unit in UNIT_SECONDS)) continue;
			const amount = parameters.amount ?? 1;
			node.parameters = { ...parameters, amount, unit: 'seconds' };
			change(
				node.name,
				'Wait Amount / Unit',
				plural(amount as number, unit),
				plural(amount as number, 'seconds'),
			);
			continue;
		}
		if (node.type !== 'n8n-nodes-base.set') continue;
		const assignments =
			(parameters.assignments as { assignments?: Assignment[] } | undefined)?.assignments ?? [];
		for (const assignment of assignments) {
			if (QUIET_HOURS.test(assignment.name) && typeof assignment.value === 'string') {
				if (assignment.value !== '00:00') {
					change(node.name, assignment.name, assignment.value, '00:00');
					assignment.value = '00:00';
				}
				continue;
			}
			const unit = UNIT_IN_NAME.exec(assignment.name)?.[1]?.toLowerCase();
			const numeric =
				typeof assignment.value === 'number' ||
				(assignment.type === 'number' && /^\d+(\.\d+)?$/.test(String(assignment.value)));
			if (!unit || unit === 'seconds' || !numeric) continue;
			const value = Number(assignment.value);
			const compressed = value / UNIT_SECONDS[unit];
			assignment.value = compressed;
			change(
				node.name,
				assignment.name,
				plural(value, unit),
				`${Number(compressed.toPrecision(4))} ${unit} = ${value} s`,
			);
		}
	}
	return changes;
}
