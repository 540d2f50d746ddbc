import {
	NodeApiError,
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type JsonObject,
} from 'n8n-workflow';

import { encryptPhone, maskPhone, phoneLookupKey, sealText, type PhoneKeys } from '../../lib/privacy';
import {
	parseWhatsAppWebhook,
	secretsEqual,
	SeenKeys,
	verifySignature,
	type WhatsAppEvent,
} from '../../lib/whatsapp';
import { getGraphSettings, graphRequest } from '../ResortWhatsApp/transport';
import { forgetUnlessAcknowledged } from '../shared/acknowledgement';
import { respondProperty, respondWebhookDescription } from '../shared/respond';
import { optionalGuestKeys, testGuestDataKeys } from '../shared/guestData';
import { readRawBody } from './rawBody';

/**
 * `from` / `recipientId` replaced by encrypted tokens, plus a lookup key and a masked form. A
 * value that is not a phone number (a malformed delivery) is sealed as text, never passed on
 * in plaintext, and gets no lookup key.
 */
export function protectEvent(event: WhatsAppEvent, keys: PhoneKeys): WhatsAppEvent & IDataObject {
	const protectedEvent: WhatsAppEvent & IDataObject = { ...event };
	for (const field of ['from', 'recipientId'] as const) {
		const phone = event[field];
		if (!phone) continue;
		protectedEvent[`${field}Masked`] = maskPhone(phone);
		try {
			protectedEvent[field] = encryptPhone(phone, keys.encryptionKey);
			protectedEvent[`${field}LookupKey`] = phoneLookupKey(phone, keys.lookupKey);
		} catch {
			protectedEvent[field] = sealText(phone, keys.encryptionKey);
			protectedEvent[`${field}Invalid`] = true;
		}
	}
	return protectedEvent;
}

/**
 * Redeliveries of the same wamid within a process are caught here even when several arrive at
 * once; the workflow's static data keeps the most recent keys across restarts.
 */
const seenByNode = new Map<string, SeenKeys>();
// One bound for memory and static data (copied on every accepted delivery, so kept small).
const REMEMBERED_EVENT_KEYS = 5000;

function seenKeysFor(context: IWebhookFunctions): SeenKeys {
	const id = `${context.getWorkflow().id}:${context.getNode().id}`;
	let keys = seenByNode.get(id);
	if (!keys) {
		keys = SeenKeys.from(context.getWorkflowStaticData('node').seenEventKeys, REMEMBERED_EVENT_KEYS);
		seenByNode.set(id, keys);
	}
	return keys;
}

function reply(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject | string,
): IWebhookResponseData {
	const res = context.getResponseObject();
	if (typeof body === 'string') res.status(status).type('text/plain').send(body);
	else res.status(status).json(body);
	return { noWebhookResponse: true };
}

export class ResortWhatsAppTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Resort WhatsApp Trigger',
		name: 'resortWhatsAppTrigger',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description:
			'Starts the workflow when a guest writes on WhatsApp or a message status changes (signed Cloud API webhooks)',
		defaults: { name: 'Resort WhatsApp Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'resortWhatsAppApi', required: true },
			// When attached, guest numbers leave the trigger encrypted (the send node decrypts them).
			{ name: 'resortGuestDataApi', required: false, testedBy: 'guestDataKeys' },
		],
		webhooks: [
			{
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'webhook',
			},
			{
				// Accepted events are answered by n8n, never by webhook() itself: "Immediately" once it
				// has created the execution (200, the body from webhookResponse), "When Last Node
				// Finishes" once the run parked or ended (200, no body; 500 if it failed, and Meta
				// delivers again). See the end of webhook() and the Respond parameter.
				name: 'default',
				httpMethod: 'POST',
				...respondWebhookDescription,
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				default: ['message'],
				options: [
					{
						name: 'Guest Messages',
						value: 'message',
						description: 'Texts, button and list replies, template quick replies',
					},
					{
						name: 'Message Status Updates',
						value: 'status',
						description: 'Sent, delivered, read and failed',
					},
					{
						name: 'Refused Requests',
						value: 'rejected',
						description:
							'Requests this trigger refused (bad signature, unreadable or malformed body): kind "rejected" with the reason and HTTP status only, never the body. Each one starts an execution.',
					},
				],
			},
			{
				displayName: 'Statuses',
				name: 'statusTypes',
				type: 'multiOptions',
				default: ['sent', 'delivered', 'read', 'failed'],
				description: 'Which status updates start the workflow (each one is an execution)',
				displayOptions: { show: { events: ['status'] } },
				options: [
					{ name: 'Sent', value: 'sent' },
					{ name: 'Delivered', value: 'delivered' },
					{ name: 'Read', value: 'read' },
					{ name: 'Failed', value: 'failed' },
				],
			},
			{
				displayName: 'Always Include Journey Send Statuses',
				name: 'journeySendStatuses',
				type: 'boolean',
				default: true,
				description:
					"Whether every status of a journey send (tagged with a journey send tag, output as journeyClaim and journeyBookingId) starts the workflow even when its status is not selected above. First Contact records such a send on the journey row when n8n stopped before it could.",
				displayOptions: { show: { events: ['status'] } },
			},
			{
				displayName: 'Register Callback URL With Meta',
				name: 'registerWebhook',
				type: 'boolean',
				default: true,
				description:
					"Whether to point the WhatsApp Business Account's webhook at this workflow on activation (Meta's per-account callback override). Turn off to configure the callback URL by hand in the Meta App Dashboard.",
			},
			respondProperty('Meta', 200),
			{
				// n8n hands the raw request to version-1 webhook nodes whose options.binaryData is set,
				// instead of parsing it first. The signature must be checked over the exact bytes Meta
				// signed, and malformed JSON must be answered 400 (n8n's own parser would say 422).
				displayName: 'Raw Body',
				name: 'options',
				type: 'hidden',
				default: { binaryData: true },
			},
		],
	};

	methods = { credentialTest: { guestDataKeys: testGuestDataKeys } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (!this.getNodeParameter('registerWebhook', true)) return true;
				const settings = await getGraphSettings(this);
				const result = await graphRequest(
					this,
					'GET',
					`${settings.baseUrl}/${settings.businessAccountId}/subscribed_apps`,
				);
				if (!result.ok) return false;
				const apps =
					(result.value as { data?: Array<{ override_callback_uri?: string }> })?.data ?? [];
				return apps.some((app) => app.override_callback_uri === this.getNodeWebhookUrl('default'));
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if (!this.getNodeParameter('registerWebhook', true)) return true;
				const settings = await getGraphSettings(this);
				const result = await graphRequest(
					this,
					'POST',
					`${settings.baseUrl}/${settings.businessAccountId}/subscribed_apps`,
					{
						override_callback_uri: this.getNodeWebhookUrl('default'),
						verify_token: settings.verifyToken || this.getNode().id,
					},
				);
				if (!result.ok) {
					throw new NodeApiError(this.getNode(), { ...result.error } as JsonObject, {
						message: `Meta did not accept the webhook URL: ${result.error.message}`,
					});
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				if (!this.getNodeParameter('registerWebhook', true)) return true;
				const settings = await getGraphSettings(this);
				const result = await graphRequest(
					this,
					'DELETE',
					`${settings.baseUrl}/${settings.businessAccountId}/subscribed_apps`,
				);
				return result.ok;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials('resortWhatsAppApi');
		if (this.getWebhookName() === 'setup') {
			// Meta's verification request: echo hub.challenge only for our verify token.
			const query = this.getQueryData() as IDataObject;
			const expected = String(credentials.verifyToken || '') || this.getNode().id;
			if (query['hub.mode'] === 'subscribe' && secretsEqual(query['hub.verify_token'], expected)) {
				return reply(this, 200, String(query['hub.challenge'] ?? ''));
			}
			this.logger.warn('WhatsApp webhook verification refused: wrong verify token or mode');
			return reply(this, 403, { error: 'Verification token mismatch' });
		}

		const wanted = new Set(this.getNodeParameter('events', ['message']) as string[]);
		// A refused request is answered; with "Refused Requests" on, it also starts the workflow
		// with why (the body is unauthenticated and never passed on).
		const refuse = (status: number, body: IDataObject, reason: string): IWebhookResponseData => {
			const response = reply(this, status, body);
			if (!wanted.has('rejected')) return response;
			const json: IDataObject = { kind: 'rejected', reason, httpStatus: status, receivedAt: new Date().toISOString() };
			return { ...response, workflowData: [[{ json }]] };
		};
		const read = await readRawBody(this.getRequestObject());
		if (!read.ok) return refuse(read.status, { error: read.reason }, read.status === 413 ? 'payload_too_large' : 'unreadable_body');
		const rawBody = read.body;
		const appSecret = String(credentials.appSecret ?? '');
		if (!verifySignature(rawBody, this.getHeaderData()['x-hub-signature-256'], appSecret)) {
			// Logged without the body: it may hold a guest's number and words.
			const hasSignature = Boolean(this.getHeaderData()['x-hub-signature-256']);
			this.logger.warn('WhatsApp webhook refused: missing or invalid X-Hub-Signature-256', {
				bytes: rawBody.length,
				hasSignature,
			});
			return refuse(401, { error: 'Invalid signature' }, hasSignature ? 'bad_signature' : 'missing_signature');
		}
		let body: unknown;
		try {
			body = JSON.parse(rawBody.toString('utf8'));
		} catch {
			return refuse(400, { error: 'Malformed JSON' }, 'malformed_json');
		}
		const parsed = parseWhatsAppWebhook(body);
		if (!parsed.ok) return refuse(400, { error: parsed.reason }, 'invalid_payload');
		const events = parsed.events;

		const seen = seenKeysFor(this);
		const now = Date.now();
		const statuses = wanted.has('status')
			? new Set(this.getNodeParameter('statusTypes', ['sent', 'delivered', 'read', 'failed']) as string[])
			: undefined;
		const journeySends = statuses !== undefined && (this.getNodeParameter('journeySendStatuses', true) as boolean);
		const fresh = events.filter(
			(event) =>
				wanted.has(event.kind) &&
				(event.kind !== 'status' || statuses?.has(String(event.status)) || (journeySends && event.journeyClaim !== undefined)) &&
				seen.add(event.eventKey, now),
		);
		if (fresh.length === 0) return reply(this, 200, { received: events.length, accepted: 0 });
		this.getWorkflowStaticData('node').seenEventKeys = seen.toJSON();
		const keys = await optionalGuestKeys(this);
		// Not answered here: n8n answers 200 once it has created the execution (Respond:
		// Immediately, before the workflow runs, so Meta gets its quick answer) or once the run
		// parked or ended (When Last Node Finishes), and 500 if it could not create it (e.g.
		// SQLite's write lock timed out under load) or the run failed. Then Meta redelivers, so these
		// keys must not count as seen. A 200 therefore means the message or status is stored.
		forgetUnlessAcknowledged(this, seen, fresh.map((event) => event.eventKey));
		return {
			workflowData: [fresh.map((event) => ({ json: (keys ? protectEvent(event, keys) : event) as unknown as IDataObject }))],
			webhookResponse: { received: events.length, accepted: fresh.length },
		};
	}
}
