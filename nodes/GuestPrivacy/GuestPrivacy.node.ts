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

import { checkJourneyRecord } from '../../lib/journey';
import { encryptPhone, maskPhone, normalizePhone, phoneLookupKey, type PhoneKeys } from '../../lib/privacy';
import { GUEST_DATA_CREDENTIAL, guestKeys, testGuestDataKeys } from '../shared/guestData';

type Operation = 'identify' | 'encrypt' | 'checkJourney';

/** Check Journey Record splits items in two; the other operations have one output. */
const configuredOutputs = (parameters: { operation?: string }) =>
	parameters.operation === 'checkJourney'
		? [
				{ type: 'main', displayName: 'Valid' },
				{ type: 'main', displayName: 'Needs Correction' },
			]
		: [{ type: 'main' }];

const SUBTITLES: Record<Operation, string> = {
	identify: 'Identify Guest',
	encrypt: 'Encrypt Phone',
	checkJourney: 'Check Journey Record',
};

/** Normalised E.164 phone, or a message that names the field and never repeats the number. */
function readPhone(value: unknown): { phone?: string; error?: string } {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		return { error: 'Phone is empty: give a number in international format, e.g. +34600123456' };
	}
	if (typeof value !== 'string' && typeof value !== 'number') {
		return { error: `Phone must be a string or number, got ${Array.isArray(value) ? 'array' : typeof value}` };
	}
	try {
		return { phone: normalizePhone(String(value)) };
	} catch {
		return {
			error: `Phone "${maskPhone(String(value))}" is not a phone number in international format (E.164, e.g. +34600123456)`,
		};
	}
}

export class GuestPrivacy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Guest Privacy',
		name: 'guestPrivacy',
		icon: { light: 'file:guestPrivacy.svg', dark: 'file:guestPrivacy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ (${JSON.stringify(SUBTITLES)})[$parameter["operation"]] }}`,
		description:
			'Turns a guest phone number into the keyed lookup key the resort tables use (for export and erasure requests), without keeping the number',
		defaults: { name: 'Guest Privacy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [{ name: GUEST_DATA_CREDENTIAL, required: true, testedBy: 'testGuestDataKeys' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'identify',
				options: [
					{
						name: 'Identify Guest',
						value: 'identify',
						action: 'Identify a guest by phone',
						description: 'Adds { lookupKey, masked }: find the guest in resort_guests, resort_journeys, resort_review_queue by guestKey',
					},
					{
						name: 'Encrypt Phone',
						value: 'encrypt',
						action: 'Encrypt a guest phone',
						description: 'Adds { encrypted, lookupKey, masked }, as the triggers store a number',
					},
					{
						name: 'Check Journey Record',
						value: 'checkJourney',
						action: 'Check a journey record before acting on it',
						description:
							'Valid rows go on; rows that fail an integrity check (unknown stage, phone that does not decrypt or match its lookup key, another guest, inconsistent flags) go to Needs Correction with { journeyProblems, problemSummary }',
					},
				],
			},
			{
				displayName: 'Journey Record',
				name: 'journeyRecord',
				type: 'json',
				default: '={{ $json }}',
				required: true,
				displayOptions: { show: { operation: ['checkJourney'] } },
				description: 'The resort_journeys row to check, e.g. the output of the Data table update that claimed it',
			},
			{
				displayName: 'Expected Guest Key',
				name: 'expectedGuestKey',
				type: 'string',
				default: '',
				displayOptions: { show: { operation: ['checkJourney'] } },
				description: "The lookup key of the guest this step is for (e.g. the booking event's guest.phone.lookupKey); empty = do not compare",
			},
			{
				displayName: 'Phone',
				name: 'phone',
				type: 'string',
				default: '={{ $json.phone }}',
				required: true,
				placeholder: '+34600123456',
				displayOptions: { show: { operation: ['identify', 'encrypt'] } },
				description: "The guest's WhatsApp number in international format (E.164 with or without +)",
			},
			{
				displayName: 'Include Input Fields',
				name: 'includeInputFields',
				type: 'boolean',
				default: true,
				description:
					'Whether to keep the fields of the input item. Turn off when the input holds the plaintext number (e.g. a webhook body), so this node\'s output does not.',
			},
		],
	};

	methods = { credentialTest: { testGuestDataKeys } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		let keys: PhoneKeys | undefined;
		const operation = this.getNodeParameter('operation', 0, 'identify') as Operation;
		const includeInput = (itemIndex: number) => this.getNodeParameter('includeInputFields', itemIndex, true) as boolean;
		const inputFields = (item: INodeExecutionData, itemIndex: number): IDataObject =>
			includeInput(itemIndex) ? { ...item.json } : {};

		return await processItems(
			this,
			operation === 'checkJourney' ? 2 : 1,
			async (item, itemIndex) => {
				const base = inputFields(item, itemIndex);
				const keepBinary = includeInput(itemIndex);
				keys ??= guestKeys(await this.getCredentials(GUEST_DATA_CREDENTIAL, itemIndex));
				if (operation === 'checkJourney') {
					const record = readRecord(this.getNodeParameter('journeyRecord', itemIndex, {}) as unknown);
					if (!record) {
						throw new NodeOperationError(this.getNode(), 'Journey Record must be an object (a resort_journeys row)', { itemIndex });
					}
					const expectedGuestKey = String(this.getNodeParameter('expectedGuestKey', itemIndex, '') ?? '');
					const problems = checkJourneyRecord(record, { keys, expectedGuestKey: expectedGuestKey || undefined });
					if (problems.length === 0) return { fields: base, keepBinary };
					// Logged without the row: it holds the encrypted number and guest details.
					this.logger.warn('Journey record needs correction', {
						node: this.getNode().name,
						rowId: record.id,
						problems: problems.map((p) => `${p.field}:${p.code}`),
					});
					return {
						output: 1,
						keepBinary,
						fields: {
							...base,
							journeyProblems: problems.map((p) => ({ ...p })),
							problemSummary: problems.map((p) => p.message).join('; '),
						},
					};
				}
				if (!keys.lookupKey || (operation === 'encrypt' && !keys.encryptionKey)) {
					throw new NodeOperationError(this.getNode(), 'The Resort Guest Data credential has no phone keys', { itemIndex });
				}
				const { phone, error } = readPhone(this.getNodeParameter('phone', itemIndex, '') as unknown);
				if (error || !phone) throw new NodeOperationError(this.getNode(), error ?? 'Phone is empty', { itemIndex });

				const result: IDataObject = { lookupKey: phoneLookupKey(phone, keys.lookupKey), masked: maskPhone(phone) };
				if (operation === 'encrypt') result.encrypted = encryptPhone(phone, keys.encryptionKey);
				return { fields: { ...base, ...result }, keepBinary };
			},
			inputFields,
		);
	}
}

/** The journey row from a JSON parameter (object, or a JSON string typed into the field). */
function readRecord(value: unknown): Record<string, unknown> | undefined {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value) as unknown;
		} catch {
			return undefined;
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
	return parsed as Record<string, unknown>;
}
