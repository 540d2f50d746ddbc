import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { DateTime } from 'luxon';

import { computeAnalytics, parseAnalyticsEvents, renderDashboard, type AnalyticsOptions, type Period } from '../../lib/analytics';

type OutputShape = 'summary' | 'rows' | 'dashboard';

/** An ISO date-time (or a luxon/JS date an expression produced) as ISO, or undefined. */
function toIso(value: unknown): string | undefined {
	if (value instanceof Date) return DateTime.fromJSDate(value).toUTC().toISO() ?? undefined;
	if (DateTime.isDateTime(value)) return value.toUTC().toISO() ?? undefined;
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const parsed = DateTime.fromISO(value.trim(), { setZone: true });
	return parsed.isValid ? (parsed.toUTC().toISO() ?? undefined) : undefined;
}

export class ResortAnalytics implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Resort Analytics',
		name: 'resortAnalytics',
		icon: { light: 'file:resortAnalytics.svg', dark: 'file:resortAnalytics.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ ({ rows: "One Item per Figure", dashboard: "Dashboard (HTML)" })[$parameter["output"]] || "Summary" }}',
		description:
			'Turns the recorded guest-journey events (rows of resort_events, e.g. from a Data table node) into the funnel, delivery, latency, engagement and revenue figures for a period',
		defaults: { name: 'Resort Analytics' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'Feed this node every event row of the period (Data table node: Get, Return All, resort_events). It reads all input items at once.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'From',
				name: 'from',
				type: 'string',
				default: '={{ $now.minus({ days: 1 }).toISO() }}',
				required: true,
				description: 'Start of the period (ISO date-time, included)',
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'string',
				default: '={{ $now.toISO() }}',
				required: true,
				description: 'End of the period (ISO date-time, excluded)',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'summary',
				options: [
					{ name: 'Summary', value: 'summary', description: 'One item with every figure' },
					{
						name: 'Dashboard (HTML)',
						value: 'dashboard',
						description: 'One item whose html field is a self-contained page with charts (send it with Respond to Webhook)',
					},
					{
						name: 'One Item per Figure',
						value: 'rows',
						description: 'One item per funnel stage, template/language and journey: easy to chart or send as a table',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Dashboard Title',
						name: 'title',
						type: 'string',
						default: 'Resort analytics',
						description: 'Heading of the dashboard page (Dashboard output only)',
					},
					{
						displayName: 'Attribution Window (Hours)',
						name: 'attributionWindowHours',
						type: 'number',
						default: 168,
						description: 'A booking counts as recovered, and revenue is credited to a message, only within this time after the message',
					},
					{
						displayName: 'Reply Window (Hours)',
						name: 'replyWindowHours',
						type: 'number',
						default: 24,
						description: 'A reply that quotes no message is credited to the last message sent to that guest within this time',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const from = toIso(this.getNodeParameter('from', 0, ''));
		const to = toIso(this.getNodeParameter('to', 0, ''));
		if (!from || !to) throw new NodeOperationError(this.getNode(), 'From and To must be ISO date-times, e.g. 2026-11-01T00:00:00Z');
		if (DateTime.fromISO(from) >= DateTime.fromISO(to)) throw new NodeOperationError(this.getNode(), 'From must be before To');
		const output = this.getNodeParameter('output', 0, 'summary') as OutputShape;
		const { title, ...options } = this.getNodeParameter('options', 0, {}) as AnalyticsOptions & { title?: string };

		// A Data table node with "Always Output Data" emits {} when the table is empty: not an event.
		const rows = items.map((item) => item.json).filter((json) => Object.keys(json).length > 0);
		const { events, invalid } = parseAnalyticsEvents(rows);
		if (invalid.length > 0) {
			this.logger.warn('Resort Analytics skipped event rows that do not match the event schema', {
				skipped: invalid.length,
				first: invalid[0].problems.join('; '),
			});
		}
		const period: Period = { from, to };
		const figures = computeAnalytics(events, period, options);
		const pairedItem = items.map((_, item) => ({ item }));
		const meta = { period, events: events.length, skippedRows: invalid.length };

		if (output === 'dashboard') {
			const html = renderDashboard(figures, {
				title: title || undefined,
				generatedAt: DateTime.utc().toISO() ?? undefined,
				events: events.length,
				skippedRows: invalid.length,
			});
			return [[{ json: { ...meta, html }, pairedItem }]];
		}
		if (output === 'summary') {
			return [[{ json: { ...meta, ...figures } as unknown as IDataObject, pairedItem }]];
		}
		const out: INodeExecutionData[] = [];
		const push = (json: IDataObject) => out.push({ json: { ...json, periodFrom: from, periodTo: to }, pairedItem });
		push({ figure: 'operations', ...(figures.operations as unknown as IDataObject) });
		for (const stage of figures.funnel.stages) {
			const next = figures.funnel.conversions.find((c) => c.from === stage.stage);
			push({ figure: 'funnel_stage', stage: stage.stage, guests: stage.guests, conversionToNext: next?.rate ?? null });
		}
		push({ figure: 'recovery', ...(figures.funnel.recovery as unknown as IDataObject) });
		for (const row of figures.engagement) push({ figure: 'engagement', ...row });
		for (const row of figures.revenue.perTemplate) push({ figure: 'revenue_per_template', ...row });
		for (const row of figures.revenue.perJourney) push({ figure: 'revenue_per_journey', ...row });
		return [out];
	}
}
