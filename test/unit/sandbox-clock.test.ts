/** The sandbox's fast clock changes only the owner-editable timing values of the shipped workflows. */
import { readdirSync, readFileSync } from 'fs';
import path from 'path';

import { applyClock, clockFromEnv, REPLY_FLOOR_SECONDS } from '../../scripts/demo/clock';
import type { WorkflowJson } from '../../scripts/n8n-runtime';

const WORKFLOWS = path.join(__dirname, '..', '..', 'workflows');
const load = (file: string) =>
	JSON.parse(readFileSync(path.join(WORKFLOWS, file), 'utf8')) as WorkflowJson;
type Node = { name: string; parameters: Record<string, any> };
const node = (w: WorkflowJson, name: string) =>
	(w.nodes as unknown as Node[]).find((n) => n.name === name)!;
const setting = (w: WorkflowJson, nodeName: string, name: string) =>
	(
		node(w, nodeName).parameters.assignments.assignments as Array<{ name: string; value: unknown }>
	).find((a) => a.name === name)?.value;

/** Every leaf path whose value differs. */
function differences(a: unknown, b: unknown, at = ''): string[] {
	if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
		return a === b ? [] : [at];
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
	return [...keys].flatMap((k) => differences((a as any)[k], (b as any)[k], `${at}/${k}`));
}

describe('applyClock', () => {
	test('booking-abandonment, fast: 45 min → 45 s, 20–24 h → 20–24 s, quiet hours off, nothing else', () => {
		const shipped = load('booking-abandonment.json');
		const fast = load('booking-abandonment.json');
		const changes = applyClock(fast, 'fast');
		expect(node(fast, 'Wait Before Reminder 1').parameters).toMatchObject({
			amount: 45,
			unit: 'seconds',
		});
		expect(Number(setting(fast, 'Settings', 'reminder2MinHours')) * 3600).toBeCloseTo(20);
		expect(Number(setting(fast, 'Settings', 'reminder2MaxHours')) * 3600).toBeCloseTo(24);
		expect(setting(fast, 'Settings', 'quietHoursStart')).toBe('00:00');
		expect(setting(fast, 'Settings', 'quietHoursEnd')).toBe('00:00');
		expect(changes.map((c) => `${c.node} › ${c.setting}: ${c.from} → ${c.to}`).sort()).toEqual([
			// The claim lease scales with the clock (journey-recovery's minAgeMinutes does too).
			'Settings › claimLeaseMinutes: 15 minutes → 0.25 minutes = 15 s',
			'Settings › quietHoursEnd: 09:00 → 00:00',
			'Settings › quietHoursStart: 21:00 → 00:00',
			'Settings › reminder2MaxHours: 24 hours → 0.006667 hours = 24 s',
			'Settings › reminder2MinHours: 20 hours → 0.005556 hours = 20 s',
			'Wait Before Reminder 1 › Wait Amount / Unit: 45 minutes → 45 seconds',
		]);
		const settings = (shipped.nodes as unknown as Node[]).findIndex((n) => n.name === 'Settings');
		const settingIndex = (name: string) =>
			(shipped.nodes as unknown as Array<{ parameters: { assignments: { assignments: Array<{ name: string }> } } }>)[settings].parameters.assignments.assignments.findIndex((a) => a.name === name);
		const wait = (shipped.nodes as unknown as Node[]).findIndex(
			(n) => n.name === 'Wait Before Reminder 1',
		);
		expect(differences(shipped, fast).sort()).toEqual(
			[
				`/nodes/${settings}/parameters/assignments/assignments/2/value`,
				`/nodes/${settings}/parameters/assignments/assignments/3/value`,
				`/nodes/${settings}/parameters/assignments/assignments/4/value`,
				`/nodes/${settings}/parameters/assignments/assignments/5/value`,
				`/nodes/${settings}/parameters/assignments/assignments/${settingIndex('claimLeaseMinutes')}/value`,
				`/nodes/${wait}/parameters/unit`,
			].sort(),
		);
	});

	test('real changes nothing in any shipped workflow', () => {
		for (const file of readdirSync(WORKFLOWS).filter((f) => f.endsWith('.json'))) {
			const workflow = load(file);
			expect(applyClock(workflow, 'real')).toEqual([]);
			expect(workflow).toEqual(load(file));
		}
	});

	test('a post-stay style workflow: days → seconds, a reply limit keeps at least a minute, other waits untouched', () => {
		const workflow = {
			name: 'Post-stay',
			connections: {},
			nodes: [
				{
					name: 'Wait Before Review',
					type: 'n8n-nodes-base.wait',
					parameters: { resume: 'timeInterval', amount: 2, unit: 'days' },
				},
				{
					name: 'Wait for Reply',
					type: 'n8n-nodes-base.wait',
					parameters: {
						resume: 'webhook',
						limitWaitTime: true,
						limitType: 'afterTimeInterval',
						resumeAmount: 1,
						resumeUnit: 'days',
					},
				},
				{
					name: 'Until Allowed',
					type: 'n8n-nodes-base.wait',
					parameters: { resume: 'specificTime', dateTime: '={{ $json.sendAt }}' },
				},
				{
					name: 'Post-Stay Settings',
					type: 'n8n-nodes-base.set',
					parameters: {
						assignments: {
							assignments: [
								{ name: 'reviewDelayDays', value: 3, type: 'number' },
								{ name: 'offerPrice_en', value: '€180', type: 'string' },
								{ name: 'quietHoursStart', value: '22:00', type: 'string' },
							],
						},
					},
				},
			],
		} as unknown as WorkflowJson;
		applyClock(workflow, 'fast');
		expect(node(workflow, 'Wait Before Review').parameters).toMatchObject({
			amount: 2,
			unit: 'seconds',
		});
		expect(node(workflow, 'Wait for Reply').parameters).toMatchObject({
			resumeAmount: REPLY_FLOOR_SECONDS,
			resumeUnit: 'seconds',
		});
		expect(node(workflow, 'Until Allowed').parameters).toEqual({
			resume: 'specificTime',
			dateTime: '={{ $json.sendAt }}',
		});
		expect(Number(setting(workflow, 'Post-Stay Settings', 'reviewDelayDays')) * 86400).toBeCloseTo(
			3,
		);
		expect(setting(workflow, 'Post-Stay Settings', 'offerPrice_en')).toBe('€180');
		expect(setting(workflow, 'Post-Stay Settings', 'quietHoursStart')).toBe('00:00');
	});

	test('DEMO_CLOCK / --real-time select the clock; fast by default; nonsense refused', () => {
		expect(clockFromEnv([], {})).toBe('fast');
		expect(clockFromEnv([], { DEMO_CLOCK: 'real' })).toBe('real');
		expect(clockFromEnv(['--real-time'], {})).toBe('real');
		expect(() => clockFromEnv([], { DEMO_CLOCK: 'slow' })).toThrow(/DEMO_CLOCK/);
	});
});
