import { DateTime } from 'luxon';
import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import {
	deliverMessage,
	mapWithConcurrency,
	maskPhone,
	PayloadValidationError,
	RateLimiter,
	type DeliveryResult,
	withCallbackData,
	type RetryPolicy,
} from '../../../lib/whatsapp';
import { evaluateSendPolicy, PolicyInputError } from '../../../lib/policy';
import { getGraphSettings, postMessage } from '../transport';
import { operations } from './message';
import { setLinkSigner, setRecipientResolver, setTokenRevealer, type PreparedSend } from './message/common';
import { trySignTrackedLink } from '../../../lib/links';
import { isEncryptedPhone, tryDecryptPhone } from '../../../lib/privacy';
import { optionalGuestKeys } from '../../shared/guestData';
import { deferFields, policyConfigured, readPolicyInput } from './policy';

/** Encrypted phone tokens as encryptPhone writes them, anywhere in a text. */
const PHONE_TOKENS = /\bv1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;

interface DeliverySettings {
	maxRetries?: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
	messagesPerSecond?: number;
	concurrency?: number;
}

const SENT = 0;
const FAILED = 1;
/** Present only when the node has a Policy setting (see the node's outputs). */
const DEFERRED = 2;

/** Tags the send (and its template fallback) so Meta returns the tag with the message's statuses. */
function withCallback(prepared: PreparedSend, callbackData: string): PreparedSend {
	const data = callbackData.trim();
	if (!data) return prepared;
	return {
		...prepared,
		payload: withCallbackData(prepared.payload, data),
		fallback: prepared.fallback ? { ...prepared.fallback, callbackData: data } : undefined,
	};
}

function recipientOf(prepared: PreparedSend): string | undefined {
	const to = prepared.payload.to;
	return typeof to === 'string' ? maskPhone(to) : undefined;
}

function describeResult(
	prepared: PreparedSend,
	operation: string,
	result: DeliveryResult,
): IDataObject {
	const json: IDataObject = {
		status: result.ok ? 'sent' : 'failed',
		operation,
		...prepared.summary,
		recipient: recipientOf(prepared),
		messageId: result.messageId,
		attempts: result.attempts,
		fallbackUsed: result.fallbackUsed,
	};
	if (result.fallbackSkipped) json.fallbackSkipped = result.fallbackSkipped;
	if (result.templateError) {
		json.templateErrorCode = result.templateError.code;
		json.templateErrorMessage = result.templateError.message;
	}
	if (result.error) {
		json.errorCode = result.error.code;
		json.errorSubcode = result.error.subcode;
		json.errorMessage = result.error.message;
		json.errorDetails = result.error.details;
		json.errorDisposition = result.error.disposition;
		json.httpStatus = result.error.httpStatus;
		json.fbtraceId = result.error.fbtraceId;
	}
	return json;
}

/**
 * Sends every input item, paced to the configured rate, and sorts the outcomes into the
 * Sent and Failed outputs. A failure never stops the batch: each failed item carries Meta's
 * error code and message so a workflow can queue, alert or replay it.
 *
 * The WhatsApp policy runs first: blocked items go to Failed (errorDisposition 'policy') and
 * items that must wait go to Deferred with `sendAt`; neither reaches the Cloud API.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const settings = await getGraphSettings(this);
	const guestKeys = await optionalGuestKeys(this);
	// Triggers hand on encrypted phones; they are opened here, in memory, only to call WhatsApp.
	setRecipientResolver(this, (to) => {
		if (!isEncryptedPhone(to)) return to;
		if (!guestKeys) {
			throw new PayloadValidationError('to', 'is an encrypted phone number: attach the Resort Guest Data credential so it can be decrypted');
		}
		const phone = tryDecryptPhone(to, guestKeys.encryptionKey);
		if (phone === undefined) {
			throw new PayloadValidationError('to', 'could not be decrypted with the attached Resort Guest Data keys');
		}
		return phone;
	});
	setTokenRevealer(this, (text) =>
		guestKeys ? text.replace(PHONE_TOKENS, (token) => tryDecryptPhone(token, guestKeys.encryptionKey) ?? token) : text,
	);
	setLinkSigner(this, (claims) =>
		trySignTrackedLink({ ...claims, issuedAt: DateTime.utc().toSeconds() }, settings.linkSigningSecret),
	);
	const delivery = this.getNodeParameter('delivery', 0, {}) as DeliverySettings;
	const policy: RetryPolicy = {
		maxRetries: delivery.maxRetries ?? 3,
		baseDelayMs: delivery.baseDelayMs ?? 1000,
		maxDelayMs: delivery.maxDelayMs ?? 30_000,
	};
	const limiter = new RateLimiter(delivery.messagesPerSecond ?? 80, () => Date.now(), sleep);
	const useErrorOutput = this.getNode().onError === 'continueErrorOutput';
	const withDeferred = policyConfigured(this.getNode());
	const post = async (body: IDataObject) => {
		const done = await limiter.acquire();
		try {
			return await postMessage(this, settings, body);
		} finally {
			done();
		}
	};

	const outcomes = await mapWithConcurrency(
		items,
		delivery.concurrency ?? 20,
		async (_item, itemIndex) => {
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const prepare = operations[operation];
			if (!prepare)
				throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, {
					itemIndex,
				});
			let prepared: PreparedSend;
			try {
				prepared = prepare.call(this, itemIndex);
				if (operation !== 'markAsRead') prepared = withCallback(prepared, this.getNodeParameter('callbackData', itemIndex, '') as string);
			} catch (error) {
				if (!(error instanceof PayloadValidationError)) {
					throw new NodeOperationError(this.getNode(), error as Error, {
						itemIndex,
					});
				}
				// Refused before sending: Meta would reject it, and retrying cannot help.
				const json: IDataObject = {
					status: 'failed',
					operation,
					attempts: 0,
					fallbackUsed: false,
					errorDisposition: 'validation',
					errorField: error.field,
					errorMessage: error.message,
				};
				const failure = new NodeOperationError(this.getNode(), error.message, {
					itemIndex,
				});
				return {
					output: FAILED,
					item: { json, pairedItem: { item: itemIndex } },
					failure,
				};
			}
			const refused = (json: IDataObject, message: string) => ({
				output: FAILED,
				item: { json, pairedItem: { item: itemIndex } },
				failure: new NodeOperationError(this.getNode(), message, { itemIndex }),
			});
			const base = {
				operation,
				...prepared.summary,
				recipient: recipientOf(prepared),
				attempts: 0,
				fallbackUsed: false,
			};
			let decision;
			try {
				const input = readPolicyInput(this, itemIndex, operation);
				decision = input ? evaluateSendPolicy(input, DateTime.utc()) : undefined;
			} catch (error) {
				if (!(error instanceof PolicyInputError)) {
					throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				}
				// The policy cannot judge this guest: better not to send blindly.
				return refused(
					{
						status: 'failed',
						...base,
						errorDisposition: 'validation',
						errorField: `policy.${error.field}`,
						errorMessage: error.message,
					},
					`Policy: ${error.message}`,
				);
			}
			if (decision?.decision === 'block') {
				return refused(
					{
						status: 'failed',
						...base,
						errorDisposition: 'policy',
						policyReason: decision.reason,
						errorMessage: decision.message,
					},
					`Not sent (${decision.reason}): ${decision.message}`,
				);
			}
			if (decision?.decision === 'defer') {
				// The input item travels on, so after a Wait node it can come back to this node.
				const input = items[itemIndex];
				return {
					output: withDeferred ? DEFERRED : FAILED,
					item: {
						json: { ...input.json, ...deferFields(decision), deferredOperation: operation },
						binary: input.binary,
						pairedItem: { item: itemIndex },
					},
				};
			}
			const result = await deliverMessage(prepared.payload, post, {
				policy,
				sleep,
				fallback: prepared.fallback,
			});
			const json = describeResult(prepared, operation, result);
			if (result.ok) {
				return {
					output: SENT,
					item: { json, pairedItem: { item: itemIndex } },
				};
			}
			this.logger.warn('WhatsApp message not delivered', {
				operation,
				recipient: json.recipient,
				errorCode: result.error?.code,
				errorMessage: result.error?.message,
				attempts: result.attempts,
			});
			const failure = new NodeApiError(
				this.getNode(),
				{ ...(json as JsonObject) },
				{
					message: `WhatsApp rejected the message${result.error?.code ? ` (code ${result.error.code})` : ''}: ${result.error?.message}`,
					description: result.error?.details,
					httpCode: result.error?.httpStatus ? String(result.error.httpStatus) : undefined,
					itemIndex,
				},
			);
			return {
				output: FAILED,
				item: { json, pairedItem: { item: itemIndex } },
				failure,
			};
		},
	);

	const sent: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	const deferred: INodeExecutionData[] = [];
	for (const outcome of outcomes) {
		if (outcome.output === SENT) {
			sent.push(outcome.item);
		} else if (outcome.output === DEFERRED) {
			// No `error`: n8n's error output must not take deferred items.
			deferred.push(outcome.item);
		} else if (useErrorOutput && outcome.failure) {
			// n8n moves items carrying `error` to the node's error output.
			failed.push({ ...outcome.item, error: outcome.failure });
		} else {
			failed.push(outcome.item);
		}
	}
	return withDeferred ? [sent, failed, deferred] : [sent, failed];
}
