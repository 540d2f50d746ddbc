import { readFileSync } from 'fs';
import path from 'path';
import vm from 'vm';

import { DateTime } from 'luxon';

import { hasWorkToReplay, planRecovery, type ExecutionListItem, type RecoveryOptions, type StoredExecution } from '../../lib';

const NOW = new Date('2026-12-02T10:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

function crashed(id: number, overrides: Partial<ExecutionListItem> = {}): ExecutionListItem {
	return { id: String(id), status: 'crashed', mode: 'webhook', workflowId: 'wfJourney', retryOf: null, retrySuccessId: null, startedAt: minutesAgo(40), stoppedAt: minutesAgo(30), ...overrides };
}

const options = { now: NOW, minAgeMinutes: 16, maxAttempts: 3, workflowIds: ['wfJourney'] };

describe('planRecovery', () => {
	test('replays each crashed journey execution once, oldest first', () => {
		const plan = planRecovery([crashed(12), crashed(3), { id: '4', status: 'success', mode: 'webhook', workflowId: 'wfJourney' }], options);
		expect(plan.retry).toEqual([
			{ id: '3', workflowId: 'wfJourney', attempt: 1, original: '3' },
			{ id: '12', workflowId: 'wfJourney', attempt: 1, original: '12' },
		]);
		expect(plan.gaveUp).toEqual([]);
	});

	test('an execution some other execution retries is not retried again, whatever that retry became', () => {
		for (const status of ['success', 'waiting', 'error', 'running', 'crashed']) {
			const plan = planRecovery([crashed(3), { id: '9', status, mode: 'retry', workflowId: 'wfJourney', retryOf: '3', stoppedAt: minutesAgo(40) }], options);
			expect(plan.retry.map((r) => r.id)).toEqual(status === 'crashed' || status === 'error' ? ['9'] : []);
		}
		// n8n sets retrySuccessId on the original when a retry succeeded (even if the retry is no longer listed).
		expect(planRecovery([crashed(3, { retrySuccessId: '9' })], options).retry).toEqual([]);
	});

	test('a crashed retry is replayed as the next attempt; the chain stops at maxAttempts', () => {
		const chain = [
			crashed(3),
			crashed(9, { mode: 'retry', retryOf: '3' }),
			crashed(15, { mode: 'retry', retryOf: '9', stoppedAt: minutesAgo(70) }),
		];
		expect(planRecovery(chain, options).retry).toEqual([{ id: '15', workflowId: 'wfJourney', attempt: 3, original: '3' }]);
		expect(planRecovery(chain, { ...options, maxAttempts: 2 })).toEqual({
			retry: [],
			gaveUp: [{ id: '15', workflowId: 'wfJourney', attempt: 3, original: '3' }],
			notYet: [],
		});
		// An ancestor outside the listed window still counts as a hop.
		expect(planRecovery([crashed(15, { mode: 'retry', retryOf: '9', stoppedAt: minutesAgo(40) })], options).retry[0]).toMatchObject({ attempt: 2, original: '9' });
		expect(planRecovery([crashed(3)], { ...options, maxAttempts: 0 }).gaveUp.map((r) => r.id)).toEqual(['3']);
	});

	test('a failed (error) journey execution is replayed like a crashed one', () => {
		const failed = (id: number, overrides: Partial<ExecutionListItem> = {}) => crashed(id, { status: 'error', ...overrides });
		const plan = planRecovery([failed(3), failed(4, { stoppedAt: minutesAgo(10) }), failed(5, { mode: 'manual' }), failed(6, { retrySuccessId: '8' })], options);
		expect(plan.retry).toEqual([{ id: '3', workflowId: 'wfJourney', attempt: 1, original: '3' }]);
		expect(plan.notYet).toEqual(['4']);
		// A replay that fails again is the next attempt of the same chain.
		expect(planRecovery([failed(3), failed(9, { mode: 'retry', retryOf: '3', stoppedAt: minutesAgo(40) })], options).retry).toEqual([{ id: '9', workflowId: 'wfJourney', attempt: 2, original: '3' }]);
	});

	test('each further attempt waits twice as long as the one before (16, 32, 64 min)', () => {
		const attempt = (n: number, endedMinutesAgo: number) => {
			const chain = [crashed(1)];
			for (let i = 2; i <= n; i++) chain.push(crashed(i, { mode: 'retry', retryOf: String(i - 1) }));
			chain[chain.length - 1] = { ...chain[chain.length - 1], stoppedAt: minutesAgo(endedMinutesAgo) };
			return planRecovery(chain, options);
		};
		expect(attempt(1, 15.9).notYet).toEqual(['1']);
		expect(attempt(1, 16).retry.map((r) => r.attempt)).toEqual([1]);
		expect(attempt(2, 31.9).notYet).toEqual(['2']);
		expect(attempt(2, 32).retry.map((r) => r.attempt)).toEqual([2]);
		expect(attempt(3, 63.9).notYet).toEqual(['3']);
		expect(attempt(3, 64).retry.map((r) => r.attempt)).toEqual([3]);
	});

	test('a crash younger than minAge waits for the next run (its claims must be past their lease)', () => {
		const plan = planRecovery([crashed(3, { stoppedAt: minutesAgo(15) }), crashed(4, { stoppedAt: null, startedAt: minutesAgo(17) }), crashed(5, { stoppedAt: null, startedAt: null })], options);
		expect(plan.notYet).toEqual(['3', '5']);
		expect(plan.retry.map((r) => r.id)).toEqual(['4']);
	});

	test('only the journey workflows, only executions started by an event (sub-workflow and manual runs are not replayed on their own)', () => {
		const plan = planRecovery(
			[crashed(3, { workflowId: 'other' }), crashed(4, { mode: 'integrated' }), crashed(5, { mode: 'manual' }), crashed(6, { mode: 'trigger' }), crashed(7)],
			options,
		);
		expect(plan.retry.map((r) => r.id)).toEqual(['6', '7']);
		expect(planRecovery([crashed(3, { workflowId: 'other' })], { ...options, workflowIds: [] }).retry.map((r) => r.id)).toEqual(['3']);
	});

	test('runs of a detached sub-workflow (Post-Stay Review and Upsell, started without waiting) are replayed on their own', () => {
		const postStay = (id: number, overrides: Partial<ExecutionListItem> = {}) => crashed(id, { workflowId: 'wfPostStay', mode: 'integrated', ...overrides });
		const detachedOptions = { ...options, detachedWorkflowIds: ['wfPostStay'] };
		const plan = planRecovery([postStay(3), crashed(4, { mode: 'integrated' }), postStay(5, { mode: 'manual' }), postStay(6, { mode: 'retry', retryOf: '2', stoppedAt: minutesAgo(40) })], detachedOptions);
		// The journey workflow's own integrated runs (the confirmation's parent) still are not; manual runs never.
		expect(plan.retry).toEqual([
			{ id: '3', workflowId: 'wfPostStay', attempt: 1, original: '3' },
			{ id: '6', workflowId: 'wfPostStay', attempt: 2, original: '2' },
		]);
		// Without the setting they are left alone, as before.
		expect(planRecovery([postStay(3)], options).retry).toEqual([]);
	});

	test('numeric ids (as some n8n versions send them) are treated like strings', () => {
		const plan = planRecovery([crashed(3, { id: 3 }), { id: 9, status: 'success', mode: 'retry', workflowId: 'wfJourney', retryOf: 3 }], options);
		expect(plan.retry).toEqual([]);
	});
});

test('planRecovery: executions in the recovery log (retried, failed or given up before) are left alone', () => {
	const plan = planRecovery([crashed(3), crashed(4), crashed(5, { mode: 'retry', retryOf: '2' })], { ...options, handled: ['3', 5 as unknown as string] });
	expect(plan.retry.map((r) => r.id)).toEqual(['4']);
	expect(plan.gaveUp).toEqual([]);
});

/**
 * The shipped workflow runs the rule in a Code node (n8n's Code node cannot import this package):
 * run that code as n8n would (all items, `$()` and `$now`) and compare it with planRecovery.
 */
describe('workflows/journey-recovery.json Plan Retries', () => {
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'workflows', 'journey-recovery.json'), 'utf8')) as {
		nodes: Array<{ name: string; parameters: Record<string, unknown> }>;
	};
	const code = String(workflow.nodes.find((n) => n.name === 'Plan Retries')!.parameters.jsCode);

	function runCode(pages: ExecutionListItem[][], logged: string[], settings: Record<string, unknown>, now: Date) {
		const outputs: Record<string, Array<{ json: Record<string, unknown> }>> = {
			'Recovery Settings': [{ json: settings }],
			'List Crashed Executions': pages.map((data, i) => ({ json: { data: data.filter((e) => e.status === 'crashed'), nextCursor: i < pages.length - 1 ? 'c' : null } })),
			// Everything else arrives through the second listing (n8n's API filters one status per call).
			'List Failed Executions': pages.map((data, i) => ({ json: { data: data.filter((e) => e.status !== 'crashed'), nextCursor: i < pages.length - 1 ? 'c' : null } })),
			// An empty table gives one empty item (alwaysOutputData).
			'Read Recovery Log': logged.length ? logged.map((executionId) => ({ json: { executionId } })) : [{ json: {} }],
		};
		const $ = (name: string) => ({ all: () => outputs[name], first: () => outputs[name][0] });
		return vm.runInNewContext(`(function () {\n${code}\n})()`, { $, $now: DateTime.fromJSDate(now) }) as Array<{ json: Record<string, unknown> }>;
	}

	function random(seed: number) {
		let x = seed;
		return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	}

	test('gives the same replays and give-ups as planRecovery on random execution lists', () => {
		const rnd = random(20261202);
		const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
		const seen = { retry: 0, gaveUp: 0 };
		for (let round = 0; round < 300; round++) {
			const executions: ExecutionListItem[] = [];
			const count = 1 + Math.floor(rnd() * 12);
			for (let i = 1; i <= count; i++) {
				executions.push({
					id: String(i),
					status: pick(['crashed', 'crashed', 'crashed', 'success', 'error', 'waiting']),
					mode: pick(['webhook', 'webhook', 'retry', 'trigger', 'integrated', 'manual']),
					workflowId: pick(['wfA', 'wfA', 'wfB']),
					retryOf: i > 1 && rnd() < 0.4 ? String(1 + Math.floor(rnd() * (i - 1))) : null,
					retrySuccessId: rnd() < 0.1 ? '99' : null,
					startedAt: minutesAgo(30 + rnd() * 60),
					stoppedAt: rnd() < 0.2 ? null : minutesAgo(rnd() * 30),
				});
			}
			const logged = executions.filter(() => rnd() < 0.15).map((e) => String(e.id));
			const detached = pick([[], ['wfB']]);
			const opts: RecoveryOptions = { now: NOW, minAgeMinutes: pick([0, 10, 16]), maxAttempts: pick([1, 2, 3]), workflowIds: ['wfA'], detachedWorkflowIds: detached, handled: logged };
			const expected = planRecovery(executions, opts);
			const cut = Math.floor(rnd() * executions.length);
			const out = runCode([executions.slice(0, cut), executions.slice(cut)], logged, { journeyWorkflowIds: ' wfA ', detachedJourneyWorkflowIds: detached.join(', '), minAgeMinutes: opts.minAgeMinutes, maxAttempts: opts.maxAttempts }, NOW);
			const as = (action: string) => out.filter((o) => o.json.action === action).map(({ json }) => ({ id: json.executionId, workflowId: json.workflowId, attempt: json.attempt, original: json.original }));
			expect({ round, retry: as('retry'), gaveUp: as('gave_up') }).toEqual({ round, retry: expected.retry, gaveUp: expected.gaveUp });
			seen.retry += expected.retry.length;
			seen.gaveUp += expected.gaveUp.length;
		}
		// The random lists exercise both outcomes, not only empty plans.
		expect(seen.retry).toBeGreaterThan(50);
		expect(seen.gaveUp).toBeGreaterThan(10);
	});

	test('refuses to run without the journey workflow ids (it would replay every workflow of the instance)', () => {
		expect(() => runCode([[crashed(3)]], [], { journeyWorkflowIds: ' ', minAgeMinutes: 16, maxAttempts: 3 }, NOW)).toThrow(/journeyWorkflowIds/);
		// The detached list alone does not count: the journey workflow is what the recovery is for.
		expect(() => runCode([[crashed(3)]], [], { journeyWorkflowIds: '', detachedJourneyWorkflowIds: 'wfPostStay', minAgeMinutes: 16, maxAttempts: 3 }, NOW)).toThrow(/journeyWorkflowIds/);
	});
});

describe('hasWorkToReplay and the workflow\'s Anything to Replay? check', () => {
	// Shapes n8n 2.40.7 stores: processError's emptied run (queue mode, the worker died), a crashed
	// run amended from the event log, a failed run that stopped at a node, one never started.
	const emptied: StoredExecution = { data: { resultData: { runData: {} }, executionData: { nodeExecutionStack: [] } } };
	const cases: Array<[string, StoredExecution, boolean]> = [
		['emptied by n8n (MaxStalledCountError)', emptied, false],
		['emptied, without an executionData object', { data: { resultData: { runData: {} } } }, false],
		['crashed with nodes that ran', { data: { resultData: { runData: { 'Booking Event': [{}] } }, executionData: { nodeExecutionStack: [] } } }, true],
		['failed at a node', { data: { resultData: { runData: { 'Booking Event': [{}], 'Confirm Reservation': [{}] } } } }, true],
		['crashed before its first node ran (its start node is queued)', { data: { resultData: { runData: {} }, executionData: { nodeExecutionStack: [{ node: { name: 'Booking Event' } }] } } }, true],
		['no data in the answer (the read failed)', { error: 'Not Found' } as StoredExecution, true],
		['data too large to show', { data: null, dataTooLargeToDisplay: true }, true],
		['too large, with a partial empty body', { ...emptied, dataTooLargeToDisplay: true }, true],
		['null run data', { data: { resultData: { runData: null }, executionData: { nodeExecutionStack: null } } }, false],
	];

	test.each(cases)('%s', (_name, execution, expected) => {
		expect(hasWorkToReplay(execution)).toBe(expected);
	});

	test('the IF node evaluates the same rule (an owner sees it in the editor; n8n cannot import the package)', () => {
		const workflow = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'workflows', 'journey-recovery.json'), 'utf8')) as {
			nodes: Array<{ name: string; parameters: { conditions?: { conditions: Array<{ leftValue: string }> } } }>;
			connections: Record<string, { main: Array<Array<{ node: string }>> }>;
		};
		const [condition] = workflow.nodes.find((n) => n.name === 'Anything to Replay?')!.parameters.conditions!.conditions;
		const expression = /^=\{\{([\s\S]*)\}\}$/.exec(condition.leftValue)![1];
		const evaluate = vm.runInNewContext(`($json) => (${expression})`) as (json: StoredExecution) => boolean;
		for (const [name, execution, expected] of cases) expect({ name, replay: evaluate(execution) }).toEqual({ name, replay: expected });
		// true goes on to the Retry, false to its own log row; a read that fails still reaches the check.
		expect(workflow.connections['Anything to Replay?'].main.map((out) => out.map((c) => c.node))).toEqual([['Retry Execution'], ['Log Nothing to Replay']]);
		expect(workflow.connections['Replay?'].main[0].map((c) => c.node)).toEqual(['Read Execution']);
	});
});
