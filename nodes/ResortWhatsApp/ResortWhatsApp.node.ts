import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as message from './actions/message';
import { policyDescription } from './actions/policy';
import { router } from './actions/router';
import { testGuestDataKeys } from '../shared/guestData';

/**
 * Sent and Failed, plus Deferred once the node has a Policy setting. Evaluated by n8n from the
 * node parameters, so it must stay self-contained. Workflows without a policy keep exactly two
 * outputs, and n8n's error output (when enabled) stays right after them.
 */
const configuredOutputs = (parameters: { policy?: unknown }) => {
	const policy = parameters.policy;
	const outputs = [
		{ type: 'main', displayName: 'Sent' },
		{ type: 'main', displayName: 'Failed' },
	];
	if (typeof policy === 'object' && policy !== null && Object.keys(policy).length > 0) {
		outputs.push({ type: 'main', displayName: 'Deferred' });
	}
	return outputs;
};

export class ResortWhatsApp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Resort WhatsApp',
		name: 'resortWhatsApp',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Send WhatsApp messages to resort guests through the WhatsApp Cloud API, with code-aware retries and template fallback',
		defaults: { name: 'Resort WhatsApp' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			{ name: 'resortWhatsAppApi', required: true },
			// Only needed when recipients arrive encrypted (e.g. from the Booking Event Trigger).
			{ name: 'resortGuestDataApi', required: false, testedBy: 'guestDataKeys' },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Message', value: 'message' }],
				default: 'message',
			},
			...message.description,
			policyDescription,
			{
				displayName: 'Delivery',
				name: 'delivery',
				type: 'collection',
				placeholder: 'Add Setting',
				default: {},
				options: [
					{
						displayName: 'First Retry Delay (Ms)',
						name: 'baseDelayMs',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 1000,
						description:
							'Doubles on each further retry, with jitter. A Retry-After from Meta wins when longer.',
					},
					{
						displayName: 'Longest Retry Delay (Ms)',
						name: 'maxDelayMs',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 30000,
					},
					{
						displayName: 'Max Retries',
						name: 'maxRetries',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 10 },
						default: 3,
						description:
							'Retries after rate limits and temporary Meta errors; other errors fail at once',
					},
					{
						displayName: 'Messages per Second',
						name: 'messagesPerSecond',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 80,
						description:
							"Cloud API's default throughput per phone number is 80 messages/s. 0 = no pacing.",
					},
					{
						displayName: 'Requests in Flight',
						name: 'concurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 200 },
						default: 20,
					},
				],
			},
		],
	};

	methods = { credentialTest: { guestDataKeys: testGuestDataKeys } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
