import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { encryptPhone, maskPhone, normalizePhone, phoneLookupKey, type PhoneKeys } from '../../lib/privacy';
import { GUEST_DATA_CREDENTIAL, guestKeys, testGuestDataKeys } from '../shared/guestData';

type Operation = 'identify' | 'encrypt';

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
		subtitle: '={{ $parameter["operation"] === "encrypt" ? "Encrypt Phone" : "Identify Guest" }}',
		description:
			'Turns a guest phone number into the keyed lookup key the resort tables use (for export and erasure requests), without keeping the number',
		defaults: { name: 'Guest Privacy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
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
				],
			},
			{
				displayName: 'Phone',
				name: 'phone',
				type: 'string',
				default: '={{ $json.phone }}',
				required: true,
				placeholder: '+34600123456',
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
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		let keys: PhoneKeys | undefined;

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const item = items[itemIndex];
			const includeInput = this.getNodeParameter('includeInputFields', itemIndex, true) as boolean;
			const base: IDataObject = includeInput ? { ...item.json } : {};
			try {
				const operation = this.getNodeParameter('operation', itemIndex, 'identify') as Operation;
				keys ??= guestKeys(await this.getCredentials(GUEST_DATA_CREDENTIAL, itemIndex));
				if (!keys.lookupKey || (operation === 'encrypt' && !keys.encryptionKey)) {
					throw new NodeOperationError(this.getNode(), 'The Resort Guest Data credential has no phone keys', { itemIndex });
				}
				const { phone, error } = readPhone(this.getNodeParameter('phone', itemIndex, '') as unknown);
				if (error || !phone) throw new NodeOperationError(this.getNode(), error ?? 'Phone is empty', { itemIndex });

				const result: IDataObject = { lookupKey: phoneLookupKey(phone, keys.lookupKey), masked: maskPhone(phone) };
				if (operation === 'encrypt') result.encrypted = encryptPhone(phone, keys.encryptionKey);
				out.push({
					json: { ...base, ...result },
					...(includeInput && item.binary ? { binary: item.binary } : {}),
					pairedItem: { item: itemIndex },
				});
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { ...base, error: (error as Error).message }, pairedItem: { item: itemIndex } });
					continue;
				}
				// returns `error` itself when it already is a NodeOperationError
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		return [out];
	}
}
