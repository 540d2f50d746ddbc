import { createHash } from 'crypto';
import {
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	actionability,
	adaptCloudbeds,
	adaptMews,
	maskPhone,
	protectGuest,
	sealText,
	SeenKeys,
	validateBookingEvent,
	verifyBookingToken,
	verifyBookingWebhook,
	type AdaptedBookingEvent,
	type BookingEvent,
	type FieldError,
	type PhoneKeys,
} from '../../lib';
import { GUEST_DATA_CREDENTIAL, guestKeys, testGuestDataKeys } from '../shared/guestData';
import { readRawBody } from '../ResortWhatsAppTrigger/rawBody';
import { cachedCredentials } from './credentialCache';
import { manualWebhookMethods } from '../shared/manualWebhook';
import { forgetUnlessAcknowledged } from '../shared/acknowledgement';
import { respondProperty, respondWebhookDescription } from '../shared/respond';

const ACCEPTED = 0;
const NEEDS_REVIEW = 1;
const REJECTED = 2;
const REFUSED = 3;

/**
 * With "Report Refused Requests" on, a fourth output carries requests refused before the event was
 * read. n8n evaluates this function's source as an expression: it must be self-contained.
 */
function configuredOutputs(parameters: { reportRefused?: boolean }) {
	const names = ['Accepted', 'Needs Review', 'Rejected'];
	if (parameters.reportRefused === true) names.push('Refused');
	return names.map((displayName) => ({ type: 'main', displayName }));
}

/** Event IDs already emitted, per workflow node: duplicates within a process, even concurrent ones. */
const seenByNode = new Map<string, SeenKeys>();
// One bound for memory and for static data: copying the set into static data on every accepted
// event is O(size), so it stays small enough for the webhook's hot path.
const REMEMBERED_EVENT_IDS = 5000;

function seenEventIds(context: IWebhookFunctions): SeenKeys {
	const id = `${context.getWorkflow().id}:${context.getNode().id}`;
	let keys = seenByNode.get(id);
	if (!keys) {
		keys = SeenKeys.from(
			context.getWorkflowStaticData('node').seenEventIds,
			REMEMBERED_EVENT_IDS,
			30 * 24 * 3600 * 1000,
		);
		seenByNode.set(id, keys);
	}
	return keys;
}

function respond(context: IWebhookFunctions, status: number, body: IDataObject): void {
	context.getResponseObject().status(status).json(body);
}

/**
 * Answers a request refused before its event was read; with "Report Refused Requests" on, the
 * workflow also starts on the Refused output with why (never the body: it is unauthenticated).
 */
function refuse(context: IWebhookFunctions, status: number, body: IDataObject & { error: string }, reason = body.error): IWebhookResponseData {
	respond(context, status, body);
	if (context.getNodeParameter('reportRefused', false) !== true) return { noWebhookResponse: true };
	const refused: IDataObject = {
		refused: true,
		status,
		reason,
		receivedAt: new Date().toISOString(),
		platform: context.getNodeParameter('platform', 'generic') as string,
	};
	const workflowData: INodeExecutionData[][] = [[], [], [], []];
	workflowData[REFUSED].push({ json: refused });
	return { noWebhookResponse: true, workflowData };
}

/** Phone-like digit runs in free text (e.g. a validation message quoting input) are masked. */
function redact(text: string): string {
	return text.replace(/\+?\d[\d\s-]{6,}\d/g, (match) => maskPhone(match));
}

interface Outcome {
	output: number;
	json: IDataObject;
}

export class BookingEventTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Booking Event Trigger',
		name: 'bookingEventTrigger',
		icon: { light: 'file:booking.svg', dark: 'file:booking.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["platform"] }}',
		description:
			'Starts the workflow when the booking platform reports a booking started, abandoned, confirmed, cancelled, checked in or checked out, or an extra bought',
		defaults: { name: 'Booking Event Trigger' },
		inputs: [],
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			{ name: 'resortBookingWebhookApi', required: true, testedBy: 'bookingWebhookSecrets' },
			{ name: 'resortGuestDataApi', required: true, testedBy: 'guestDataKeys' },
		],
		// Accepted events are answered by n8n, never by webhook() itself: "Immediately" once it has
		// created the execution (202, the body from webhookResponse), "When Last Node Finishes" once
		// the run has parked on a Wait or ended (202, no body; 500 if the run failed). See the end of
		// webhook() and the Respond parameter.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				...respondWebhookDescription,
				responseCode: '={{202}}',
				path: 'booking',
			},
		],
		properties: [
			{
				displayName: 'Booking Platform',
				name: 'platform',
				type: 'options',
				default: 'generic',
				options: [
					{ name: 'Cloudbeds', value: 'cloudbeds', description: 'Reservation/created and reservation/status_changed webhooks (IDs only: enrich before acting)' },
					{ name: 'Mews', value: 'mews', description: 'General Webhooks envelope (IDs only: enrich before acting)' },
					{ name: 'Resort Booking Event', value: 'generic', description: 'The documented booking event in JSON (see docs/booking-events.md)' },
				],
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				default: 'signature',
				options: [
					{ name: 'HMAC Signature', value: 'signature', description: 'X-Resort-Signature: t=&lt;unix seconds&gt;,v1=&lt;HMAC-SHA256 of "t.body"&gt;' },
					{ name: 'Secret Token', value: 'token', description: 'A shared token in a header or query parameter' },
				],
			},
			{
				displayName: 'Signature Header',
				name: 'signatureHeader',
				type: 'string',
				default: 'X-Resort-Signature',
				displayOptions: { show: { authentication: ['signature'] } },
			},
			{
				displayName: 'Replay Window (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				default: 300,
				typeOptions: { minValue: 1 },
				description: 'Signed requests older or newer than this are refused, so a captured request cannot be replayed later',
				displayOptions: { show: { authentication: ['signature'] } },
			},
			{
				displayName: 'Token Header',
				name: 'authHeaderName',
				type: 'string',
				default: 'X-Resort-Token',
				displayOptions: { show: { authentication: ['token'] } },
			},
			{
				displayName: 'Token Query Parameter',
				name: 'authQueryParameter',
				type: 'string',
				default: 'token',
				description: 'Used when the header is absent. Empty: header only.',
				displayOptions: { show: { authentication: ['token'] } },
			},
			{
				displayName: 'Max Body Size (KB)',
				name: 'maxBodyKb',
				type: 'number',
				default: 256,
				typeOptions: { minValue: 1 },
				description: 'Larger bodies are answered 413',
			},
			{
				displayName: 'Known Accommodation IDs',
				name: 'knownAccommodationIds',
				type: 'string',
				default: '',
				placeholder: 'villa-mar, family-suite',
				description: 'Comma-separated. When set, events for other accommodations go to Needs Review.',
			},
			respondProperty('the booking platform', 202),
			{
				displayName: 'Report Refused Requests',
				name: 'reportRefused',
				type: 'boolean',
				default: false,
				description:
					'Whether requests refused before the event is read (authentication failed, body too large or unreadable, malformed JSON) start the workflow on a fourth output, Refused, with the reason and HTTP status only (never the body), e.g. to count them. Each refused request then starts an execution.',
			},
			{
				// n8n hands the raw request to version-1 webhook nodes whose options.binaryData is set:
				// signatures need the exact bytes, and malformed JSON must be a 400 (n8n would say 422).
				displayName: 'Raw Body',
				name: 'options',
				type: 'hidden',
				default: { binaryData: true },
			},
		],
	};

	// The booking platform is pointed at this URL by hand (or by its own API with the owner's
	// account), so there is nothing to register or remove on activation.
	webhookMethods = manualWebhookMethods;

	methods = {
		credentialTest: {
			async bookingWebhookSecrets(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = (credential.data ?? {}) as ICredentialDataDecryptedObject;
				const signing = String(data.signingSecret ?? '');
				const token = String(data.token ?? '');
				if (!signing && !token) {
					return { status: 'Error', message: 'Set a signing secret or a secret token' };
				}
				if ((signing && signing.length < 16) || (token && token.length < 16)) {
					return { status: 'Error', message: 'Secrets must be at least 16 characters' };
				}
				return { status: 'OK', message: 'Secrets are usable' };
			},
			guestDataKeys: testGuestDataKeys,
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await cachedCredentials(this, 'resortBookingWebhookApi');
		const req = this.getRequestObject();
		const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
		const maxBytes = (this.getNodeParameter('maxBodyKb', 256) as number) * 1024;
		const declaredLength = Number(headers['content-length'] ?? 0);
		if (declaredLength > maxBytes) return refuse(this, 413, { error: 'payload_too_large', maxBytes });
		const read = await readRawBody(req);
		if (!read.ok) return refuse(this, read.status, { error: read.status === 413 ? 'payload_too_large' : 'unreadable_body' });
		const rawBody = read.body;
		if (rawBody.length > maxBytes) return refuse(this, 413, { error: 'payload_too_large', maxBytes });

		const authentication = this.getNodeParameter('authentication', 'signature') as string;
		const verify = (secrets: ICredentialDataDecryptedObject) =>
			authentication === 'token'
				? verifyBookingToken(headers, this.getQueryData() as Record<string, unknown>, {
						token: String(secrets.token ?? ''),
						header: this.getNodeParameter('authHeaderName', 'X-Resort-Token') as string,
						queryParam: (this.getNodeParameter('authQueryParameter', 'token') as string) || undefined,
					})
				: verifyBookingWebhook(rawBody, headers, {
						secret: String(secrets.signingSecret ?? '')
							.split(',')
							.map((secret) => secret.trim()),
						now: () => Date.now() / 1000,
						signatureHeader: this.getNodeParameter('signatureHeader', 'X-Resort-Signature') as string,
						toleranceSeconds: this.getNodeParameter('toleranceSeconds', 300) as number,
					});
		let auth = verify(credentials.data);
		if (!auth.ok && (auth.reason === 'bad_signature' || auth.reason === 'bad_token')) {
			// The secret may have just been changed in n8n: check once more against a fresh read.
			const fresh = await credentials.refetch();
			if (fresh) auth = verify(fresh);
		}
		if (!auth.ok) {
			// Logged without the body: it carries guest names and numbers.
			this.logger.warn('Booking webhook refused: authentication failed', {
				reason: auth.reason,
				bytes: rawBody.length,
				remoteAddress: req.socket?.remoteAddress,
			});
			return refuse(this, 401, { error: 'unauthorized', reason: auth.reason }, auth.reason);
		}

		let json: unknown;
		try {
			json = JSON.parse(rawBody.toString('utf8'));
		} catch {
			this.logger.warn('Booking webhook refused: malformed JSON', { bytes: rawBody.length });
			return refuse(this, 400, { error: 'malformed_json' });
		}

		const keys = guestKeys((await cachedCredentials(this, GUEST_DATA_CREDENTIAL)).data);
		const platform = this.getNodeParameter('platform', 'generic') as string;
		const known = (this.getNodeParameter('knownAccommodationIds', '') as string)
			.split(',')
			.map((id) => id.trim())
			.filter(Boolean);
		const knownAccommodationIds = known.length ? new Set(known) : undefined;
		const receivedAt = new Date().toISOString();

		const outcomes: Outcome[] = [];
		const seen = seenEventIds(this);
		const now = Date.now();
		const responseEvents: IDataObject[] = [];
		// Repeats of an event whose own request is still running: not answered "duplicate" (below).
		const stillRunning: string[] = [];

		const acceptValid = (event: BookingEvent) => {
			if (!seen.add(event.eventId, now)) {
				if (seen.isAwaitingAnswer(event.eventId)) stillRunning.push(event.eventId);
				responseEvents.push({ eventId: event.eventId, duplicate: true });
				return;
			}
			const verdict = actionability(event, { knownAccommodationIds });
			const safe = protectGuest(event, keys) as unknown as IDataObject;
			const json: IDataObject = { ...safe, receivedAt, platform };
			if (!verdict.actionable) json.reviewReasons = verdict.reasons;
			outcomes.push({ output: verdict.actionable ? ACCEPTED : NEEDS_REVIEW, json });
			responseEvents.push({ eventId: event.eventId, duplicate: false, needsReview: !verdict.actionable });
		};

		if (platform === 'generic') {
			const validation = validateBookingEvent(json);
			if (!validation.ok) {
				const errors: FieldError[] = validation.errors.map((e) => ({ path: e.path, message: redact(e.message) }));
				this.logger.warn('Booking webhook refused: invalid booking event', { errors });
				// Kept on the Rejected output (body sealed with the phone key) so a person can fix and replay it.
				const sealedBody = sealText(rawBody.toString('utf8'), keys.encryptionKey);
				const bodySha256 = createHash('sha256').update(rawBody).digest('hex');
				outcomes.push({
					output: REJECTED,
					json: { status: 422, reason: 'invalid_event', errors: errors as unknown as IDataObject[], receivedAt, platform, bodySha256, sealedBody },
				});
				respond(this, 422, { error: 'invalid_event', errors: errors as unknown as IDataObject[] });
				return { noWebhookResponse: true, workflowData: [[], [], outcomes.map((o) => ({ json: o.json }))] };
			}
			acceptValid(validation.event);
		} else {
			const adapted = platform === 'cloudbeds' ? adaptCloudbeds(json) : adaptMews(json);
			for (const item of adapted.events) {
				const complete = validateBookingEvent(item.event);
				if (complete.ok && item.missing.length === 0) {
					acceptValid(complete.event);
					continue;
				}
				const eventId = item.event.eventId;
				if (eventId && !seen.add(eventId, now)) {
					if (seen.isAwaitingAnswer(eventId)) stillRunning.push(eventId);
					responseEvents.push({ eventId, duplicate: true });
					continue;
				}
				outcomes.push({ output: NEEDS_REVIEW, json: partialForReview(item, keys, receivedAt, platform) });
				responseEvents.push({ eventId: eventId ?? null, duplicate: false, needsReview: true, missing: item.missing });
			}
			if (adapted.events.length === 0) {
				respond(this, 202, { accepted: true, events: [], ignored: adapted.ignored as unknown as IDataObject[] });
				return { noWebhookResponse: true };
			}
		}

		if (stillRunning.length > 0) {
			// The first delivery of this event has not been answered yet, and if its run fails it
			// gets a 500 and the event is forgotten. A 2xx "duplicate" now could end the sender's
			// retries for an event that never ran, so this request is refused whole (its new events
			// are forgotten again) and the sender delivers it again later: by then the first one is
			// either acknowledged (this becomes a duplicate) or forgotten (this one runs).
			for (const outcome of outcomes) if (outcome.json.eventId) seen.forget(String(outcome.json.eventId));
			this.logger.info('Booking webhook deferred: an earlier delivery of the same event is still running', { eventIds: stillRunning });
			this.getResponseObject().setHeader('Retry-After', '5');
			respond(this, 409, { error: 'in_progress', eventIds: stillRunning, retry: true });
			return { noWebhookResponse: true };
		}

		if (outcomes.length === 0) {
			respond(this, 202, { accepted: true, events: responseEvents });
			return { noWebhookResponse: true };
		}
		this.getWorkflowStaticData('node').seenEventIds = seen.toJSON();
		// Not answered here: n8n answers 202 after it has created the execution (Respond:
		// Immediately) or after the run parked or ended (When Last Node Finishes), and 500 if it
		// could not create it (e.g. SQLite's write lock timed out under a storm) or the run failed.
		// Then the platform redelivers, so these event ids must not count as seen.
		forgetUnlessAcknowledged(
			this,
			seen,
			outcomes.map((o) => String(o.json.eventId ?? '')).filter(Boolean),
		);
		const workflowData: INodeExecutionData[][] = [[], [], []];
		for (const outcome of outcomes) workflowData[outcome.output].push({ json: outcome.json });
		return { workflowData, webhookResponse: { accepted: true, events: responseEvents } };
	}
}

/** A platform event that still lacks fields, with any phone it carries protected. */
function partialForReview(
	item: AdaptedBookingEvent,
	keys: PhoneKeys,
	receivedAt: string,
	platform: string,
): IDataObject {
	const event = { ...item.event } as IDataObject;
	const guest = item.event.guest;
	if (guest?.phone) {
		const { phone, ...rest } = guest;
		event.guest = { ...rest, phone: protectGuest({ guest: { ...guest, phone } } as BookingEvent, keys).guest.phone } as IDataObject;
	}
	return { ...event, missing: item.missing, reviewReasons: ['missing_fields'], receivedAt, platform };
}
