/**
 * The Resort Analytics node in the real n8n: the scripted day (test/support/analyticsHistory.ts)
 * is written into a Data table, read back by n8n's Data table node, and turned into figures by
 * our node behind a webhook. The figures must be the hand-worked ones of test/unit/analytics.test.ts,
 * so the Data table round trip (dates, numbers, booleans, empty columns) loses nothing.
 */
import axios from 'axios';
import { randomBytes, randomUUID } from 'crypto';

import { computeAnalytics } from '../../lib';
import { RESORT_TABLES, createDataTable, insertRows } from '../../scripts/n8n-runtime/dataTables';
import { DAY, HISTORY } from '../support/analyticsHistory';
import { connect } from '../support/e2e';

jest.setTimeout(120_000);

const { env, n8n } = connect();
const http = axios.create({ validateStatus: () => true, timeout: 30_000 });
let url: string;
let workflowId: string;

beforeAll(async () => {
	const table = await createDataTable(n8n, `analytics_e2e_${randomBytes(4).toString('hex')}`, RESORT_TABLES.resort_events);
	await insertRows(n8n, table.id, HISTORY.map((event) => ({ ...event, errorCode: event.errorCode === undefined || event.errorCode === null ? null : String(event.errorCode) })));
	const path = `analytics-${randomBytes(4).toString('hex')}`;
	workflowId = await n8n.createWorkflow({
		name: `e2e analytics ${path}`,
		nodes: [
			{ id: randomUUID(), name: 'Figures Request', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'GET', path, responseMode: 'responseNode', options: {} } },
			{
				id: randomUUID(),
				name: 'Events',
				type: 'n8n-nodes-base.dataTable',
				typeVersion: 1.1,
				position: [220, 0],
				alwaysOutputData: true,
				executeOnce: true,
				parameters: { resource: 'row', operation: 'get', dataTableId: { __rl: true, mode: 'id', value: table.id }, matchType: 'allConditions', filters: { conditions: [] }, returnAll: true },
			},
			{
				id: randomUUID(),
				name: 'Resort Analytics',
				type: 'n8n-nodes-resort-whatsapp.resortAnalytics',
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					from: "={{ $('Figures Request').first().json.query.from }}",
					to: "={{ $('Figures Request').first().json.query.to }}",
					output: "={{ $('Figures Request').first().json.query.output || 'summary' }}",
					options: {},
				},
			},
			{ id: randomUUID(), name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [660, 0], executeOnce: true, parameters: { respondWith: 'json', responseBody: '={{ JSON.stringify($input.all().map(i => i.json)) }}', options: {} } },
		],
		connections: {
			'Figures Request': { main: [[{ node: 'Events', type: 'main', index: 0 }]] },
			Events: { main: [[{ node: 'Resort Analytics', type: 'main', index: 0 }]] },
			'Resort Analytics': { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	});
	await n8n.activateWorkflow(workflowId);
	url = `${env.n8nUrl}/webhook/${path}`;
});

afterAll(async () => {
	await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
});

test('the summary equals the hand-worked figures of the scripted day', async () => {
	const res = await http.get(url, { params: { from: DAY.from, to: DAY.to } });
	expect(res.status).toBe(200);
	const [summary] = res.data as Array<Record<string, any>>;
	expect(summary.events).toBe(HISTORY.length);
	expect(summary.skippedRows).toBe(0);
	// A few figures restated by hand (see test/unit/analytics.test.ts for the working).
	expect(summary.operations.webhooks).toMatchObject({ received: 10, rejected: 2, rejectionRate: 0.2 });
	expect(summary.operations.messages).toMatchObject({ attempted: 8, delivered: 5, deliveryRate: 0.625, failureRate: 0.25, retries: 4, fallbacks: 1 });
	expect(summary.operations.latencyMs.sendToDelivered).toEqual({ count: 5, p50: 2000, p95: 4000, p99: 4000 });
	expect(summary.funnel.recovery).toMatchObject({ abandonedBookings: 3, recoveredBookings: 1, rate: 0.3333 });
	expect(summary.revenue.perTemplate).toEqual([
		{ template: 'booking_reminder_1', revenue: { EUR: 1240 } },
		{ template: 'unattributed', revenue: { EUR: 500 } },
	]);
	// And everything else exactly as the pure core computes it on the original events.
	// The node reports the period normalised to UTC with milliseconds.
	const period = { from: new Date(DAY.from).toISOString(), to: new Date(DAY.to).toISOString() };
	const expected = JSON.parse(JSON.stringify(computeAnalytics(HISTORY, period)));
	expect({ operations: summary.operations, funnel: summary.funnel, engagement: summary.engagement, revenue: summary.revenue }).toEqual(expected);
});

test('one item per figure, for charts and tables', async () => {
	const res = await http.get(url, { params: { from: DAY.from, to: DAY.to, output: 'rows' } });
	expect(res.status).toBe(200);
	const items = res.data as Array<Record<string, any>>;
	const stages = items.filter((i) => i.figure === 'funnel_stage');
	expect(stages.map((s) => [s.stage, s.guests])).toEqual([
		['first_contact', 4],
		['qualified', 2],
		['suggestions', 2],
		['booking_started', 3],
		['abandoned', 3],
		['recovered', 1],
		['confirmed', 2],
		['reviewed', 1],
		['upsold', 0],
	]);
	expect(items.filter((i) => i.figure === 'engagement')).toHaveLength(7);
	expect(items.find((i) => i.figure === 'revenue_per_journey' && i.bookingId === 'B1')?.revenue).toEqual({ EUR: 1240 });
});

test('a bad period is a clear error, not figures', async () => {
	const res = await http.get(url, { params: { from: DAY.to, to: DAY.from } });
	expect(res.status).toBe(500);
	expect(JSON.stringify(res.data)).toMatch(/From must be before To|Error in workflow/);
});
