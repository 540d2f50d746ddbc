/**
 * Journey state in n8n Data tables, proven in the real n8n (SQLite): a conditional update
 * through the built-in Data table node (`n8n-nodes-base.dataTable`, row → update, "All
 * Conditions") is a compare-and-set. Fired 50 times concurrently for one booking, exactly one
 * execution gets the changed row back and takes the "Transitioned" branch; the rest get zero
 * rows. Two different transitions racing from the same stage (reservation confirmed vs the
 * abandonment timer, two workflows sharing the table) also yield exactly one winner.
 *
 * Why it holds: docs/journey-store.md.
 */
import axios from 'axios';
import { randomBytes, randomUUID } from 'crypto';

import { N8nApi, type ExecutionDetail, type WorkflowJson } from '../../scripts/n8n-runtime';
import {
	createDataTable,
	deleteDataTable,
	insertRows,
	rows,
	updateRows,
	type DataTable,
} from '../../scripts/n8n-runtime/dataTables';
import { connect } from '../support/e2e';

jest.setTimeout(240_000);

const { env, n8n } = connect();
const http = axios.create({ validateStatus: () => true, timeout: 120_000 });
const CONCURRENCY = Number(process.env.JOURNEY_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.JOURNEY_ROUNDS ?? 3);

const suffix = randomBytes(3).toString('hex');
let journeys: DataTable;
let outbox: DataTable;
const workflowIds: string[] = [];

const TRANSITIONED = 'Transitioned';
const ALREADY = 'Already Transitioned';
const CLAIM = 'Claim Transition';

const schemaField = (id: string, type: string) => ({
	id,
	displayName: id,
	required: false,
	defaultMatch: false,
	display: true,
	type,
	canBeUsedToMatch: true,
});

/**
 * Webhook → Data table (row update: bookingId = body.bookingId AND stage = fromStage, set
 * stage = toStage) → If a row came back → NoOp "Transitioned" → Data table insert into the
 * outbox (stands in for the one WhatsApp send); else NoOp "Already Transitioned".
 */
function transitionWorkflow(opts: {
	name: string;
	path: string;
	fromStage: string;
	toStage: string;
	table: { mode: 'id' | 'name'; value: string };
}): WorkflowJson {
	return {
		name: opts.name,
		settings: { executionOrder: 'v1' },
		connections: {
			Webhook: { main: [[{ node: CLAIM, type: 'main', index: 0 }]] },
			[CLAIM]: { main: [[{ node: 'Won Claim?', type: 'main', index: 0 }]] },
			'Won Claim?': {
				main: [[{ node: TRANSITIONED, type: 'main', index: 0 }], [{ node: ALREADY, type: 'main', index: 0 }]],
			},
			[TRANSITIONED]: { main: [[{ node: 'Send (outbox)', type: 'main', index: 0 }]] },
		},
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: opts.path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				name: CLAIM,
				type: 'n8n-nodes-base.dataTable',
				typeVersion: 1.1,
				position: [220, 0],
				// Zero matched rows would otherwise end the execution here; one empty item lets the If
				// route it to the "Already Transitioned" branch so both outcomes are visible.
				alwaysOutputData: true,
				parameters: {
					resource: 'row',
					operation: 'update',
					dataTableId: { __rl: true, mode: opts.table.mode, value: opts.table.value },
					// The default is "anyCondition" (OR) — a compare-and-set must use AND.
					matchType: 'allConditions',
					filters: {
						conditions: [
							{ keyName: 'bookingId', condition: 'eq', keyValue: '={{ $json.body.bookingId }}' },
							{ keyName: 'stage', condition: 'eq', keyValue: opts.fromStage },
						],
					},
					columns: {
						mappingMode: 'defineBelow',
						value: { stage: opts.toStage, stageEventId: '={{ $json.body.eventId }}' },
						matchingColumns: [],
						schema: [schemaField('stage', 'string'), schemaField('stageEventId', 'string')],
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
					options: {},
				},
			},
			{
				name: 'Won Claim?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [440, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [
							{
								id: randomUUID(),
								leftValue: '={{ $json.id }}',
								rightValue: '',
								operator: { type: 'number', operation: 'exists', singleValue: true },
							},
						],
						combinator: 'and',
					},
					options: {},
				},
			},
			{ name: TRANSITIONED, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, -100], parameters: {} },
			{ name: ALREADY, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, 100], parameters: {} },
			{
				name: 'Send (outbox)',
				type: 'n8n-nodes-base.dataTable',
				typeVersion: 1.1,
				position: [880, -100],
				parameters: {
					resource: 'row',
					operation: 'insert',
					dataTableId: { __rl: true, mode: 'id', value: outbox.id },
					columns: {
						mappingMode: 'defineBelow',
						value: {
							bookingId: '={{ $json.bookingId }}',
							stage: '={{ $json.stage }}',
							executionId: '={{ $execution.id }}',
						},
						matchingColumns: [],
						schema: [schemaField('bookingId', 'string'), schemaField('stage', 'string'), schemaField('executionId', 'string')],
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
					options: {},
				},
			},
		],
	};
}

async function deploy(wf: WorkflowJson): Promise<string> {
	const id = await n8n.createWorkflow(wf);
	workflowIds.push(id);
	await n8n.activateWorkflow(id);
	return id;
}

const ran = (exec: ExecutionDetail, node: string) => (exec.data?.resultData.runData[node]?.length ?? 0) > 0;

/** All executions of a workflow after `afterId`, finished, with data. */
async function executionsSince(workflowId: string, afterId: number, expected: number): Promise<ExecutionDetail[]> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		const all = (await n8n.listExecutions({ workflowId, limit: 500 })).filter((e) => Number(e.id) > afterId);
		const done = all.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
		if (done.length >= expected) {
			const out: ExecutionDetail[] = [];
			for (const e of done) out.push(await n8n.getExecution(e.id));
			return out;
		}
		if (Date.now() > deadline) throw new Error(`only ${done.length}/${expected} executions finished`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function lastExecutionId(workflowId: string): Promise<number> {
	const list = await n8n.listExecutions({ workflowId, limit: 1 });
	return list.length ? Math.max(...list.map((e) => Number(e.id))) : 0;
}

function shuffle<T>(xs: T[]): T[] {
	const a = [...xs];
	for (let i = a.length - 1; i > 0; i--) {
		const j = randomBytes(4).readUInt32BE(0) % (i + 1);
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a;
}

/** Largest number of executions whose [startedAt, stoppedAt] intervals overlap. */
function maxOverlap(execs: ExecutionDetail[]): number {
	const points = execs.flatMap((e) => [
		{ t: Date.parse(e.startedAt ?? ''), d: 1 },
		{ t: Date.parse(e.stoppedAt ?? ''), d: -1 },
	]);
	points.sort((a, b) => a.t - b.t || a.d - b.d);
	let cur = 0;
	let max = 0;
	for (const p of points) max = Math.max(max, (cur += p.d));
	return max;
}

beforeAll(async () => {
	journeys = await createDataTable(n8n, `journeys_${suffix}`, [
		{ name: 'bookingId', type: 'string' },
		{ name: 'phone', type: 'string' },
		{ name: 'stage', type: 'string' },
		{ name: 'stageEventId', type: 'string' },
	]);
	outbox = await createDataTable(n8n, `outbox_${suffix}`, [
		{ name: 'bookingId', type: 'string' },
		{ name: 'stage', type: 'string' },
		{ name: 'executionId', type: 'string' },
	]);
});

afterAll(async () => {
	for (const id of workflowIds) await n8n.deleteWorkflow(id).catch(() => undefined);
	for (const t of [journeys, outbox]) if (t) await deleteDataTable(n8n, t.id).catch(() => undefined);
});

test('REST provisioning: tables live in the personal project, update returns only changed rows, no unique keys', async () => {
	expect(journeys.columns.map((c) => [c.name, c.type])).toEqual([
		['bookingId', 'string'],
		['phone', 'string'],
		['stage', 'string'],
		['stageEventId', 'string'],
	]);
	const bookingId = `probe-${suffix}`;
	const inserted = await insertRows(n8n, journeys.id, [
		{ bookingId, stage: 'probe' },
		{ bookingId, stage: 'probe' }, // accepted: Data tables have no unique constraints
	]);
	expect(inserted).toHaveLength(2);
	const changed = await updateRows(
		n8n,
		journeys.id,
		{ filters: [{ columnName: 'id', condition: 'eq', value: inserted[0].id }, { columnName: 'stage', condition: 'eq', value: 'probe' }] },
		{ stage: 'probed' },
	);
	expect(changed.map((r) => [r.id, r.stage])).toEqual([[inserted[0].id, 'probed']]);
	const again = await updateRows(
		n8n,
		journeys.id,
		{ filters: [{ columnName: 'id', condition: 'eq', value: inserted[0].id }, { columnName: 'stage', condition: 'eq', value: 'probe' }] },
		{ stage: 'probed' },
	);
	expect(again).toEqual([]);
	await n8n.request('DELETE', `/rest/projects/${journeys.projectId}/data-tables/${journeys.id}/rows?filter=${encodeURIComponent(
		JSON.stringify({ type: 'and', filters: [{ columnName: 'bookingId', condition: 'eq', value: bookingId }] }),
	)}`);
	expect(await rows(n8n, journeys.id)).toEqual([]);
});

test(`${CONCURRENCY} concurrent deliveries of one booking event: exactly one transition, one outbox message (x${ROUNDS})`, async () => {
	const path = `journey-${suffix}-reminder`;
	const workflowId = await deploy(
		transitionWorkflow({
			name: `Journey reminder1 claim ${suffix}`,
			path,
			fromStage: 'started',
			toStage: 'reminder1_sent',
			table: { mode: 'id', value: journeys.id },
		}),
	);
	for (let round = 0; round < ROUNDS; round++) {
		const bookingId = `B-${suffix}-${round}`;
		await insertRows(n8n, journeys.id, [{ bookingId, phone: '+34•••••••22', stage: 'started' }]);
		const before = await lastExecutionId(workflowId);

		const responses = await Promise.all(
			Array.from({ length: CONCURRENCY }, (_, i) =>
				http.post(`${env.n8nUrl}/webhook/${path}`, { bookingId, eventId: `evt-${round}-${i}` }),
			),
		);
		expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENCY).fill(200));

		const execs = await executionsSince(workflowId, before, CONCURRENCY);
		expect(execs).toHaveLength(CONCURRENCY);
		expect(execs.map((e) => e.status)).toEqual(Array(CONCURRENCY).fill('success'));
		const winners = execs.filter((e) => ran(e, TRANSITIONED));
		const losers = execs.filter((e) => ran(e, ALREADY));
		expect(winners).toHaveLength(1);
		expect(losers).toHaveLength(CONCURRENCY - 1);
		// The winner's Data table node returned exactly the changed row; losers got no row
		// (their single item is the empty placeholder from "Always Output Data").
		const [won] = N8nApi.nodeOutput(winners[0], CLAIM);
		expect(N8nApi.nodeOutput(winners[0], CLAIM)).toHaveLength(1);
		expect(won).toMatchObject({ bookingId, stage: 'reminder1_sent' });
		for (const l of losers) expect(N8nApi.nodeOutput(l, CLAIM)).toEqual([{}]);

		const journeyRows = (await rows(n8n, journeys.id)).filter((r) => r.bookingId === bookingId);
		expect(journeyRows).toHaveLength(1);
		expect(journeyRows[0]).toMatchObject({ stage: 'reminder1_sent', stageEventId: won.stageEventId });
		const sent = (await rows(n8n, outbox.id)).filter((r) => r.bookingId === bookingId);
		expect(sent).toEqual([expect.objectContaining({ stage: 'reminder1_sent', executionId: winners[0].id })]);

		const overlap = maxOverlap(execs);
		process.stderr.write(`[journey-store] round ${round}: ${CONCURRENCY} executions, max ${overlap} overlapping, winner #${winners[0].id}\n`);
		// The executions really ran concurrently (otherwise this would prove nothing).
		expect(overlap).toBeGreaterThan(1);
	}
});

test('reservation_confirmed racing the abandonment timer (two workflows, one table): exactly one wins', async () => {
	const confirmPath = `journey-${suffix}-confirm`;
	const abandonPath = `journey-${suffix}-abandon`;
	const confirmId = await deploy(
		transitionWorkflow({
			name: `Journey confirm ${suffix}`,
			path: confirmPath,
			fromStage: 'started',
			toStage: 'confirmed',
			table: { mode: 'id', value: journeys.id },
		}),
	);
	const abandonId = await deploy(
		transitionWorkflow({
			name: `Journey abandonment timer ${suffix}`,
			path: abandonPath,
			fromStage: 'started',
			toStage: 'abandoned',
			// By name works too; the name must not be a substring of another table's name (the
			// lookup is LOWER(name) LIKE %value%, most recently updated first).
			table: { mode: 'name', value: journeys.name },
		}),
	);
	const half = Math.max(1, Math.floor(CONCURRENCY / 2));
	const tally: Record<string, number> = { confirmed: 0, abandoned: 0 };
	for (let round = 0; round < ROUNDS; round++) {
		const bookingId = `R-${suffix}-${round}`;
		await insertRows(n8n, journeys.id, [{ bookingId, phone: '+34•••••••33', stage: 'started' }]);
		const before = { confirm: await lastExecutionId(confirmId), abandon: await lastExecutionId(abandonId) };

		// Interleaved in a random order, so either side can arrive first.
		const targets = shuffle(Array.from({ length: half * 2 }, (_, i) => (i % 2 === 0 ? confirmPath : abandonPath)));
		const responses = await Promise.all(
			targets.map((p, i) => http.post(`${env.n8nUrl}/webhook/${p}`, { bookingId, eventId: `race-${round}-${i}` })),
		);
		expect(responses.every((r) => r.status === 200)).toBe(true);

		const confirms = await executionsSince(confirmId, before.confirm, half);
		const abandons = await executionsSince(abandonId, before.abandon, half);
		const all = [...confirms, ...abandons];
		expect(all.every((e) => e.status === 'success')).toBe(true);
		const winners = all.filter((e) => ran(e, TRANSITIONED));
		expect(winners).toHaveLength(1);
		const winnerStage = confirms.includes(winners[0]) ? 'confirmed' : 'abandoned';
		tally[winnerStage] += 1;

		const journeyRows = (await rows(n8n, journeys.id)).filter((r) => r.bookingId === bookingId);
		expect(journeyRows).toEqual([expect.objectContaining({ stage: winnerStage })]);
		const sent = (await rows(n8n, outbox.id)).filter((r) => r.bookingId === bookingId);
		expect(sent).toEqual([expect.objectContaining({ stage: winnerStage, executionId: winners[0].id })]);
		process.stderr.write(
			`[journey-store] race round ${round}: ${all.length} executions, max ${maxOverlap(all)} overlapping, winner ${winnerStage}\n`,
		);
	}
	process.stderr.write(`[journey-store] race winners: ${JSON.stringify(tally)}\n`);
});

test('negative control: check-then-write ("If Row Exists", then update by bookingId) double-fires under the same load', async () => {
	const path = `journey-${suffix}-naive`;
	const wf: WorkflowJson = {
		name: `Journey naive check-then-write ${suffix}`,
		settings: { executionOrder: 'v1' },
		connections: {
			Webhook: { main: [[{ node: 'Still Started?', type: 'main', index: 0 }]] },
			'Still Started?': { main: [[{ node: 'Set Stage', type: 'main', index: 0 }]] },
			'Set Stage': { main: [[{ node: TRANSITIONED, type: 'main', index: 0 }]] },
		},
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				name: 'Still Started?',
				type: 'n8n-nodes-base.dataTable',
				typeVersion: 1.1,
				position: [220, 0],
				parameters: {
					resource: 'row',
					operation: 'rowExists',
					dataTableId: { __rl: true, mode: 'id', value: journeys.id },
					matchType: 'allConditions',
					filters: {
						conditions: [
							{ keyName: 'bookingId', condition: 'eq', keyValue: '={{ $json.body.bookingId }}' },
							{ keyName: 'stage', condition: 'eq', keyValue: 'started' },
						],
					},
				},
			},
			{
				name: 'Set Stage',
				type: 'n8n-nodes-base.dataTable',
				typeVersion: 1.1,
				position: [440, 0],
				parameters: {
					resource: 'row',
					operation: 'update',
					dataTableId: { __rl: true, mode: 'id', value: journeys.id },
					matchType: 'allConditions',
					filters: { conditions: [{ keyName: 'bookingId', condition: 'eq', keyValue: '={{ $json.body.bookingId }}' }] },
					columns: {
						mappingMode: 'defineBelow',
						value: { stage: 'reminder1_sent', stageEventId: '={{ $json.body.eventId }}' },
						matchingColumns: [],
						schema: [schemaField('stage', 'string'), schemaField('stageEventId', 'string')],
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
					options: {},
				},
			},
			{ name: TRANSITIONED, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, 0], parameters: {} },
		],
	};
	const workflowId = await deploy(wf);
	const bookingId = `N-${suffix}`;
	await insertRows(n8n, journeys.id, [{ bookingId, phone: '+34•••••••44', stage: 'started' }]);
	const before = await lastExecutionId(workflowId);
	await Promise.all(
		Array.from({ length: CONCURRENCY }, (_, i) => http.post(`${env.n8nUrl}/webhook/${path}`, { bookingId, eventId: `naive-${i}` })),
	);
	const execs = await executionsSince(workflowId, before, CONCURRENCY);
	const winners = execs.filter((e) => ran(e, TRANSITIONED));
	process.stderr.write(`[journey-store] naive check-then-write: ${winners.length}/${CONCURRENCY} executions "transitioned"\n`);
	// The read and the write are separate transactions, so many executions pass the check
	// before the first write commits: this is what the conditional update avoids.
	expect(winners.length).toBeGreaterThan(1);
});

test('upsert on the identity columns creates the journey row once under 50 concurrent deliveries (SQLite)', async () => {
	const path = `journey-${suffix}-upsert`;
	const wf: WorkflowJson = {
		name: `Journey create-once upsert ${suffix}`,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'Upsert Journey', type: 'main', index: 0 }]] } },
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				name: 'Upsert Journey',
				type: 'n8n-nodes-base.dataTable',
				typeVersion: 1.1,
				position: [220, 0],
				parameters: {
					resource: 'row',
					operation: 'upsert',
					dataTableId: { __rl: true, mode: 'id', value: journeys.id },
					matchType: 'allConditions',
					filters: { conditions: [{ keyName: 'bookingId', condition: 'eq', keyValue: '={{ $json.body.bookingId }}' }] },
					// Identity columns only: a redelivery must not reset `stage`.
					columns: {
						mappingMode: 'defineBelow',
						value: { bookingId: '={{ $json.body.bookingId }}', phone: '={{ $json.body.phone }}' },
						matchingColumns: [],
						schema: [schemaField('bookingId', 'string'), schemaField('phone', 'string')],
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
					options: {},
				},
			},
		],
	};
	const workflowId = await deploy(wf);
	const bookingId = `U-${suffix}`;
	const before = await lastExecutionId(workflowId);
	await Promise.all(
		Array.from({ length: CONCURRENCY }, () => http.post(`${env.n8nUrl}/webhook/${path}`, { bookingId, phone: '+34•••••••55' })),
	);
	const execs = await executionsSince(workflowId, before, CONCURRENCY);
	expect(execs.every((e) => e.status === 'success')).toBe(true);
	const created = (await rows(n8n, journeys.id)).filter((r) => r.bookingId === bookingId);
	expect(created).toHaveLength(1);
	expect(created[0]).toMatchObject({ phone: '+34•••••••55', stage: null });
	// Every execution got the (same) row back: upsert output does not tell insert from update.
	const ids = new Set(execs.flatMap((e) => N8nApi.nodeOutput(e, 'Upsert Journey').map((r) => r.id)));
	expect([...ids]).toEqual([created[0].id]);
});
