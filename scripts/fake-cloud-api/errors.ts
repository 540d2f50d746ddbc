/**
 * Error table of the fake WhatsApp Cloud API.
 *
 * Source: Meta's "Cloud API error codes" reference
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes),
 * whose tables give, per code, a title, a description and an "HTTP Status Code" column, and
 * the Graph API error-handling docs for the generic Graph codes (100/33, 190, 2200, 2500).
 * Mirrors of that table checked while writing this: developers.aivo.co/engage (authorization
 * and throttling sections: 0/190 -> 401, 3 -> 500, 10/200-299 -> 403, 4 -> 429, 80007 -> 400),
 * heltar.com (130429 "comes with a 400 Bad Request status").
 *
 * Notable HTTP statuses (deliberately as Meta sends them, not what one would guess):
 * - 130429 "Rate limit hit" (throughput) -> 400, NOT 429. Only code 4 ("API Too Many Calls",
 *   the app-level Graph call limit) is a 429.
 * - 132001 "Template does not exist" -> 404.
 * - 131000 / 131045 / 131057 / 3 -> 500; 2 / 131016 -> 503.
 * - 190 / 0 -> 401; 10 / 200 / 131005 / 368 / 130497 -> 403.
 * Everything else in the messaging range -> 400.
 *
 * `message` is the string Meta puts in `error.message` (title prefixed with "(#code)" for the
 * WhatsApp-specific codes), `details` the default `error.error_data.details`.
 */

export interface ErrorSpec {
	code: number;
	httpStatus: number;
	title: string;
	/** Text used for error.message; "(#<code>) " is prefixed unless `raw` is set. */
	message: string;
	details: string;
	type?: string;
	/** error.message is used as-is (Graph-level errors like 190 or 100/33 have no "(#code)" prefix). */
	raw?: boolean;
}

const E = (
	code: number,
	httpStatus: number,
	title: string,
	details: string,
	message = title,
	extra: Partial<ErrorSpec> = {},
): ErrorSpec => ({ code, httpStatus, title, message, details, ...extra });

export const ERROR_TABLE: Record<number, ErrorSpec> = {
	// --- Authorization errors
	0: E(0, 401, 'AuthException', 'We were unable to authenticate the app user.'),
	3: E(3, 500, 'API Method', 'Capability or permissions issue.'),
	10: E(10, 403, 'Permission Denied', 'Permission is either not granted or has been removed.', 'Application does not have permission for this action'),
	190: E(190, 401, 'Access token has expired', 'Your access token has expired.', 'Invalid OAuth access token - Cannot parse access token', { raw: true }),
	200: E(200, 403, 'API Permission', 'Permission is either not granted or has been removed.'),
	// --- Throttling errors
	4: E(4, 429, 'API Too Many Calls', 'The app has reached its API call rate limit.', 'Application request limit reached'),
	80007: E(80007, 400, 'Rate limit issues', 'The WhatsApp Business Account has reached its rate limit.'),
	130429: E(130429, 400, 'Rate limit hit', 'Message failed to send because there were too many messages sent from this phone number in a short period of time'),
	131048: E(131048, 400, 'Spam rate limit hit', 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.'),
	131056: E(131056, 400, '(Business Account, Consumer Account) pair rate limit hit', 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.'),
	133016: E(133016, 400, 'Account register deregister rate limit exceeded', 'Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time'),
	// --- Integrity errors
	368: E(368, 403, 'Temporarily blocked for policies violations', 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.'),
	130497: E(130497, 403, 'Business account is restricted from messaging users in this country', 'The WhatsApp Business Account is restricted from messaging to users in certain countries.'),
	131031: E(131031, 403, 'Account has been locked', 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy, or we were unable to verify data included in the request against data set on the WhatsApp Business Account.'),
	// --- Generic Graph errors
	1: E(1, 400, 'API Unknown', 'Invalid request or possible server error.', 'An unknown error occurred'),
	2: E(2, 503, 'API Service', 'Temporary due to downtime or due to being overloaded.', 'Service temporarily unavailable'),
	33: E(33, 400, 'Parameter value is not valid', 'The business phone number has been deleted.'),
	100: E(100, 400, 'Invalid parameter', 'The request included one or more unsupported or misspelled parameters.'),
	2200: E(2200, 400, 'Callback verification failed', 'Callback verification failed.', 'Callback verification failed'),
	2500: E(2500, 400, 'Unknown path components', 'Unknown path components.', 'Unknown path components', { raw: true }),
	// --- Messaging errors
	130472: E(130472, 400, "User's number is part of an experiment", "Message was not sent as part of an experiment."),
	131000: E(131000, 500, 'Something went wrong', 'Message failed to send due to an unknown error.'),
	131005: E(131005, 403, 'Access denied', 'Permission is either not granted or has been removed.'),
	131008: E(131008, 400, 'Required parameter is missing', 'The request is missing a required parameter.'),
	131009: E(131009, 400, 'Parameter value is not valid', 'One or more parameter values are invalid.'),
	131016: E(131016, 503, 'Service unavailable', 'A service is temporarily unavailable.'),
	131021: E(131021, 400, 'Recipient cannot be sender', 'Sender and recipient phone number is the same.'),
	131026: E(131026, 400, 'Message undeliverable', 'Message failed to send because the recipient is unable to receive it.', 'Message Undeliverable'),
	131042: E(131042, 400, 'Business eligibility payment issue', 'There was an error related to your payment method.'),
	131045: E(131045, 500, 'Incorrect certificate', 'Message failed to send due to a phone number registration error.'),
	131047: E(131047, 400, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'),
	131049: E(131049, 400, 'Meta chose not to deliver', 'This message was not delivered to maintain healthy ecosystem engagement.'),
	131050: E(131050, 400, 'User has stopped marketing messages', 'Unable to deliver the marketing message. The user has chosen to stop receiving marketing messages from your business.'),
	131051: E(131051, 400, 'Unsupported message type', 'Unsupported message type.'),
	131052: E(131052, 400, 'Media download error', "Unable to download the media sent by the user."),
	131053: E(131053, 400, 'Media upload error', 'Unable to upload the media used in the message.'),
	131057: E(131057, 500, 'Account in maintenance mode', 'Business Account is in maintenance mode.'),
	// --- Template errors
	132000: E(132000, 400, 'Template Param Count Mismatch', 'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.', 'Number of parameters does not match the expected number of params'),
	132001: E(132001, 404, 'Template does not exist', 'The template does not exist in the specified language or the template has not been approved.', 'Template name does not exist in the translation'),
	132005: E(132005, 400, 'Template Hydrated Text Too Long', 'Translated text is too long.'),
	132007: E(132007, 400, 'Template Format Character Policy Violated', 'Template content violates a WhatsApp policy.'),
	132012: E(132012, 400, 'Template Parameter Format Mismatch', 'Variable parameter values formatted incorrectly.'),
	132015: E(132015, 400, 'Template is Paused', 'Template is paused due to low quality so it cannot be sent in a template message.'),
	132016: E(132016, 400, 'Template is Disabled', 'Template has been paused too many times due to low quality and is now permanently disabled.', 'Template is disabled'),
	132068: E(132068, 400, 'Flow is blocked', 'The flow is in blocked state.'),
	132069: E(132069, 400, 'Flow is throttled', 'The flow is in throttled state and 10 messages using this flow were already sent in the last hour.'),
	// --- Registration errors
	133010: E(133010, 400, 'Phone number Not Registered', 'The phone number is not registered on the WhatsApp Business Platform.'),
	// --- Other
	135000: E(135000, 400, 'Generic user error', 'Message failed to send because of an unknown error with your request parameters.'),
};

export interface GraphErrorBody {
	error: {
		message: string;
		type: string;
		code: number;
		error_subcode?: number;
		error_data?: { messaging_product: 'whatsapp'; details: string };
		error_user_title?: string;
		error_user_msg?: string;
		is_transient?: boolean;
		fbtrace_id: string;
	};
}

export interface GraphErrorOptions {
	/** Overrides the whole error.message. */
	message?: string;
	details?: string;
	/** Omit error_data entirely (Graph-level errors such as 190 have none). */
	noErrorData?: boolean;
	subcode?: number;
	type?: string;
	httpStatus?: number;
	userTitle?: string;
	userMsg?: string;
	isTransient?: boolean;
}

export function newTraceId(): string {
	const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
	let s = 'A';
	for (let i = 0; i < 22; i++) s += chars[Math.floor(Math.random() * chars.length)];
	return s;
}

/** Builds a Meta-shaped Graph error: `{status, body}`. Unknown codes default to HTTP 400 (500 for >= 500 style codes is not guessed). */
export function graphError(
	code: number,
	opts: GraphErrorOptions = {},
): { status: number; body: GraphErrorBody; traceId: string } {
	const spec = ERROR_TABLE[code];
	const traceId = newTraceId();
	const baseMessage = spec ? spec.message : 'An unknown error occurred';
	const message = opts.message ?? (spec?.raw ? baseMessage : `(#${code}) ${baseMessage}`);
	const e: Partial<GraphErrorBody['error']> = {
		message,
		type: opts.type ?? spec?.type ?? 'OAuthException',
		code,
	};
	if (opts.subcode !== undefined) e.error_subcode = opts.subcode;
	if (!opts.noErrorData) {
		e.error_data = {
			messaging_product: 'whatsapp',
			details: opts.details ?? spec?.details ?? message,
		};
	}
	if (opts.isTransient !== undefined) e.is_transient = opts.isTransient;
	if (opts.userTitle !== undefined) e.error_user_title = opts.userTitle;
	if (opts.userMsg !== undefined) e.error_user_msg = opts.userMsg;
	e.fbtrace_id = traceId;
	const body = { error: e } as GraphErrorBody;
	return { status: opts.httpStatus ?? spec?.httpStatus ?? 400, body, traceId };
}

/** Status-webhook error entry ({code,title,message,error_data{details}}), as in `statuses[].errors[]`. */
export function webhookError(
	code: number,
	over: { title?: string; message?: string; details?: string } = {},
): { code: number; title: string; message: string; error_data: { details: string }; href: string } {
	const spec = ERROR_TABLE[code];
	const title = over.title ?? spec?.title ?? 'Unknown error';
	return {
		code,
		title,
		message: over.message ?? spec?.title ?? title,
		error_data: { details: over.details ?? spec?.details ?? title },
		href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
	};
}
