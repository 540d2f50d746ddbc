/**
 * The WhatsApp sending policy inside the Resort WhatsApp node: guest state comes in as
 * parameters (workflows read it from n8n Data tables and map it with expressions), the rules
 * live in lib/policy.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';

import {
	policyInputFromParameters,
	type MessageKind,
	type PolicyParameters,
	type SendPolicyInput,
} from '../../../lib/policy';

/** Operations that send a message, and whether Meta treats it as a template or free-form. */
const MESSAGE_KIND: Record<string, MessageKind> = {
	sendTemplate: 'template',
	sendText: 'freeform',
	sendButtons: 'freeform',
	sendList: 'freeform',
	sendCtaUrl: 'freeform',
};

const categoryOptions = [
	{
		name: 'Authentication',
		value: 'AUTHENTICATION',
		description: 'One-time passcodes',
	},
	{
		name: 'Marketing',
		value: 'MARKETING',
		description:
			'Offers, upsells, re-engagement: needs consent, respects opt-out, quiet hours and the cap',
	},
	{
		name: 'Service',
		value: 'SERVICE',
		description: 'A free-form reply to a guest who wrote to us',
	},
	{
		name: 'Utility',
		value: 'UTILITY',
		description: 'About a stay the guest booked or asked for: confirmations, check-in details',
	},
];

export const policyDescription: INodeProperties = {
	displayName: 'Policy',
	name: 'policy',
	type: 'collection',
	placeholder: 'Add Policy Setting',
	default: {},
	description:
		'WhatsApp policy checked before each send. Adding any setting turns on the Deferred output. Blocked messages go to Failed; messages that must wait go to Deferred with a sendAt time for a Wait node.',
	displayOptions: {
		show: { resource: ['message'], operation: Object.keys(MESSAGE_KIND) },
	},
	options: [
		{
			displayName: 'Apply Quiet Hours To',
			name: 'quietHoursCategories',
			type: 'multiOptions',
			options: categoryOptions,
			default: ['MARKETING'],
			description:
				'Categories that wait for the end of quiet hours. Utility messages the guest just triggered (a booking confirmation) should go at once.',
		},
		{
			displayName: 'Frequency Cap Max',
			name: 'frequencyCapMax',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 2,
			description: 'Most marketing messages per guest within the cap window. 0 = no cap.',
		},
		{
			displayName: 'Frequency Cap Window (Hours)',
			name: 'frequencyCapWindowHours',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 24,
		},
		{
			displayName: 'Guest Last Wrote At',
			name: 'lastInboundAt',
			type: 'string',
			default: '',
			placeholder: '={{ $json.lastInboundAt }}',
			description:
				'ISO time of the guest’s last message. Free-form messages are blocked 24 hours after it. Empty: not checked here (Meta refuses with 131047).',
		},
		{
			displayName: 'Guest Opted Out',
			name: 'optedOut',
			type: 'boolean',
			default: false,
			description: 'Whether the guest asked to stop receiving messages (see Opt-Out Scope)',
		},
		{
			displayName: 'Guest Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			placeholder: 'Europe/Madrid',
			description: 'IANA time zone for quiet hours. Empty: the workflow’s time zone.',
		},
		{
			displayName: 'Marketing Consent',
			name: 'marketingConsent',
			type: 'boolean',
			default: false,
			description:
				'Whether the guest agreed to receive marketing on WhatsApp. Marketing without recorded consent is blocked.',
		},
		{
			displayName: 'Marketing Sends (Recent)',
			name: 'marketingSentAt',
			type: 'json',
			default: '[]',
			placeholder: '={{ $json.marketingSentAt }}',
			description:
				'ISO times of recent marketing messages to this guest: an array, a JSON array or comma-separated text',
		},
		{
			displayName: 'Message Category',
			name: 'category',
			type: 'options',
			options: categoryOptions,
			default: 'MARKETING',
			description:
				'The category Meta approved the template under. Not set: templates count as Utility, text and interactive messages as Service.',
		},
		{
			displayName: 'Opt-Out Scope',
			name: 'optOutScope',
			type: 'options',
			options: [
				{
					name: 'Marketing Only',
					value: 'marketing',
					description: 'Stop promotions; confirmations about their stay still go',
				},
				{
					name: 'All Messages',
					value: 'all',
					description: 'Stop everything except replies to messages the guest sends',
				},
			],
			default: 'marketing',
		},
		{
			displayName: 'Quiet Hours End',
			name: 'quietHoursEnd',
			type: 'string',
			default: '09:00',
			placeholder: '09:00',
			description: 'Guest local time (HH:mm) when sending may resume',
		},
		{
			displayName: 'Quiet Hours Start',
			name: 'quietHoursStart',
			type: 'string',
			default: '21:00',
			placeholder: '21:00',
			description: 'Guest local time (HH:mm). Same as the end: no quiet hours.',
		},
	],
};

/** Whether the node has any Policy setting: decides its outputs (Deferred appears then). */
export function policyConfigured(node: INode): boolean {
	const policy = node.parameters.policy;
	return typeof policy === 'object' && policy !== null && Object.keys(policy).length > 0;
}

/**
 * The policy input for one item, or undefined when the operation sends no message
 * (mark as read). Throws PolicyInputError for values the policy cannot judge.
 */
export function readPolicyInput(
	context: IExecuteFunctions,
	itemIndex: number,
	operation: string,
): SendPolicyInput | undefined {
	const messageKind = MESSAGE_KIND[operation];
	if (!messageKind) return undefined;
	const parameters = context.getNodeParameter('policy', itemIndex, {}) as PolicyParameters;
	return policyInputFromParameters(parameters, messageKind, context.getTimezone());
}

/** What a deferred item adds to the input item, so it can go through a Wait node and back. */
export function deferFields(decision: {
	sendAt: string;
	sendAtLocal: string;
	reason: string;
	reasons: string[];
	message: string;
}): IDataObject {
	return {
		sendAt: decision.sendAt,
		sendAtLocal: decision.sendAtLocal,
		deferReason: decision.reason,
		deferReasons: decision.reasons,
		policyMessage: decision.message,
	};
}
