import { processItems } from '../shared/perItem';
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

import { classifyIntent, type KeywordOverrides, type KeywordsFile } from '../../lib/intent';
import { parseExtraKeywords } from './keywords';

type ReferenceTime = DateTime | Date | string | undefined;

/** Reference time as classifyIntent accepts it (undefined = now), or the reason it is unusable. */
function referenceTime(value: unknown): { now?: ReferenceTime; error?: string } {
	if (value === undefined || value === null || value === '') return {};
	if (DateTime.isDateTime(value)) return { now: value };
	if (value instanceof Date) {
		return Number.isNaN(value.getTime()) ? { error: 'Reference Time is an invalid date' } : { now: value };
	}
	if (typeof value === 'number') return { now: DateTime.fromMillis(value, { zone: 'utc' }) };
	if (typeof value === 'string') {
		const text = value.trim();
		if (!DateTime.fromISO(text, { setZone: true }).isValid) {
			return { error: `Reference Time "${value}" is not an ISO date or time such as 2026-05-01T10:00:00Z` };
		}
		return { now: text };
	}
	return { error: `Reference Time must be an ISO date string, got ${typeof value}` };
}

export class GuestIntent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Guest Intent',
		name: 'guestIntent',
		icon: { light: 'file:guestIntent.svg', dark: 'file:guestIntent.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ "→ $json." + $parameter["outputField"] }}',
		description:
			'Tags a guest message with its intent (availability, pricing, romance, family, opt-out…), interests, party size and stay dates',
		defaults: { name: 'Guest Intent' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'Adds the intent under the output field and keeps the item. Route on it with a Switch node, e.g. on {{ $json.intent.intent }}.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '={{ $json.text }}',
				description: "The guest's message",
			},
			{
				displayName: 'Reference Time',
				name: 'referenceTime',
				type: 'string',
				default: '',
				placeholder: '={{ $json.timestamp }}',
				description:
					'ISO date or time that "today" means when the guest writes dates without a year ("del 3 al 6 de mayo"). Empty: now.',
			},
			{
				displayName: 'Output Field',
				name: 'outputField',
				type: 'string',
				default: 'intent',
				required: true,
				description:
					'Field that receives { intent, confidence, tags, entities, language }; the rest of the item is kept',
			},
			{
				displayName: 'Extra Keywords',
				name: 'extraKeywords',
				type: 'json',
				default: '{}',
				description:
					'Words per intent, flat or per language, e.g. { "adventure": ["glamping"], "wellness": { "es": ["temazcal"] }, "opt_out": ["=basta ya"] }. "=word" matches only the whole message, "word*" is a prefix.',
			},
			{
				displayName: 'Keywords Mode',
				name: 'keywordsMode',
				type: 'options',
				default: 'extend',
				options: [
					{
						name: 'Extend Built-in Keywords',
						value: 'extend',
						description: 'Add the extra keywords to the built-in lists',
					},
					{
						name: 'Replace Built-in Keywords',
						value: 'replace',
						description: 'Use only the extra keywords',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// classifyIntent caches compiled keywords per object: reuse one object per distinct JSON.
		const keywordCache = new Map<string, KeywordOverrides | KeywordsFile | undefined>();

		return await processItems(this, 1, (item, itemIndex) => {
			const text = this.getNodeParameter('text', itemIndex, '') as unknown;
			const outputField = String(this.getNodeParameter('outputField', itemIndex, 'intent')).trim();
			if (!outputField) {
				throw new NodeOperationError(this.getNode(), 'Output Field must not be empty', { itemIndex });
			}
			const rawKeywords = this.getNodeParameter('extraKeywords', itemIndex, '{}') as unknown;
			const keywordsMode = this.getNodeParameter('keywordsMode', itemIndex, 'extend') as 'extend' | 'replace';

			const cacheKey = typeof rawKeywords === 'string' ? rawKeywords : JSON.stringify(rawKeywords ?? null);
			let keywords: KeywordOverrides | KeywordsFile | undefined;
			if (keywordCache.has(cacheKey)) keywords = keywordCache.get(cacheKey);
			else {
				const parsed = parseExtraKeywords(rawKeywords);
				if (parsed.error) throw new NodeOperationError(this.getNode(), parsed.error, { itemIndex });
				keywords = parsed.keywords;
				keywordCache.set(cacheKey, keywords);
			}

			const { now, error: timeError } = referenceTime(this.getNodeParameter('referenceTime', itemIndex, '') as unknown);
			if (timeError) throw new NodeOperationError(this.getNode(), timeError, { itemIndex });

			const message = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
			const result = classifyIntent(message, {
				now,
				keywords,
				keywordsMode: keywords ? keywordsMode : undefined,
			});
			return { fields: { ...item.json, [outputField]: result as unknown as IDataObject } };
		});
	}
}
