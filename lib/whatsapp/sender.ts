/**
 * Delivery of one message: retries by Meta error code, then the template fallback.
 * Transport-agnostic so the same rules run inside n8n and in unit tests.
 */
import { DateTime } from 'luxon';

import { OUTSIDE_SERVICE_WINDOW_CODE, type ErrorDisposition, type GraphError } from './errors';
import { buildTextMessage, withCallbackData, type Payload } from './payloads';
import { withRetry, type AttemptResult, type RetryPolicy } from './retry';

export interface SentMessage {
	messageId?: string;
	waId?: string;
}

export type GraphPost = (body: Payload) => Promise<AttemptResult<SentMessage>>;

export interface TemplateFallback {
	/** Generic wording sent as free text when the template itself is rejected. */
	text: string;
	to: string;
	/** When the guest last wrote to us, if known: free text is allowed only within 24 h of it. */
	lastInboundAt?: string;
	/** The template send's `biz_opaque_callback_data`, carried over so the fallback's statuses are tagged too. */
	callbackData?: string;
}

export interface DeliveryResult {
	ok: boolean;
	messageId?: string;
	waId?: string;
	attempts: number;
	delays: number[];
	fallbackUsed: boolean;
	/** Why the fallback was not tried, when it was not. */
	fallbackSkipped?: 'outside_service_window';
	error?: GraphError & { disposition: ErrorDisposition };
	/** The template error that triggered the fallback (kept even when the fallback succeeded). */
	templateError?: GraphError;
	fallbackError?: GraphError;
}

export const SERVICE_WINDOW_HOURS = 24;

export function isInsideServiceWindow(
	lastInboundAt: string | undefined,
	now: DateTime,
): boolean | undefined {
	if (!lastInboundAt) return undefined;
	const last = DateTime.fromISO(lastInboundAt, { setZone: true });
	if (!last.isValid) return undefined;
	return now.diff(last, 'hours').hours < SERVICE_WINDOW_HOURS;
}

export async function deliverMessage(
	payload: Payload,
	post: GraphPost,
	options: {
		policy: RetryPolicy;
		sleep: (ms: number) => Promise<void>;
		random?: () => number;
		now?: () => DateTime;
		fallback?: TemplateFallback;
	},
): Promise<DeliveryResult> {
	const first = await withRetry(() => post(payload), options);
	if (first.ok) {
		return {
			ok: true,
			...first.value,
			attempts: first.attempts,
			delays: first.delays,
			fallbackUsed: false,
		};
	}
	const failed: DeliveryResult = {
		ok: false,
		attempts: first.attempts,
		delays: first.delays,
		fallbackUsed: false,
		error: { ...first.error!, disposition: first.disposition ?? 'fatal' },
	};
	const fallback = options.fallback;
	if (first.disposition !== 'template' || !fallback || fallback.text.trim() === '') return failed;

	failed.templateError = first.error;
	const now = options.now?.() ?? DateTime.utc();
	if (isInsideServiceWindow(fallback.lastInboundAt, now) === false) {
		return { ...failed, fallbackSkipped: 'outside_service_window' };
	}
	// Unknown window: let Meta decide; a 131047 answer means the guest is outside it.
	const second = await withRetry(
		() => post(withCallbackData(buildTextMessage({ to: fallback.to, body: fallback.text }), fallback.callbackData)),
		options,
	);
	const attempts = first.attempts + second.attempts;
	const delays = [...first.delays, ...second.delays];
	if (second.ok) {
		return {
			ok: true,
			...second.value,
			attempts,
			delays,
			fallbackUsed: true,
			templateError: first.error,
		};
	}
	return {
		...failed,
		attempts,
		delays,
		fallbackError: second.error,
		fallbackSkipped:
			second.error?.code === OUTSIDE_SERVICE_WINDOW_CODE ? 'outside_service_window' : undefined,
	};
}
