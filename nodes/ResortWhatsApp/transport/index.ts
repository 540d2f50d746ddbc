import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHookFunctions,
} from 'n8n-workflow';

import {
	parseGraphError,
	parseRetryAfter,
	type AttemptResult,
	type SentMessage,
} from '../../../lib/whatsapp';

export const CREDENTIAL_TYPE = 'resortWhatsAppApi';

export interface GraphSettings {
	baseUrl: string;
	phoneNumberId: string;
	businessAccountId: string;
	appSecret: string;
	verifyToken: string;
	linkSigningSecret: string;
}

type GraphContext = IExecuteFunctions | IHookFunctions;

export async function getGraphSettings(context: GraphContext): Promise<GraphSettings> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const base = String(credentials.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
	return {
		baseUrl: `${base}/${String(credentials.graphApiVersion ?? 'v23.0')}`,
		phoneNumberId: String(credentials.phoneNumberId ?? ''),
		businessAccountId: String(credentials.businessAccountId ?? ''),
		appSecret: String(credentials.appSecret ?? ''),
		verifyToken: String(credentials.verifyToken ?? ''),
		linkSigningSecret: String(credentials.linkSigningSecret ?? ''),
	};
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * One Graph API call through n8n's own request helper (credentials, proxies and logging behave
 * as n8n users expect). HTTP errors come back as data, not exceptions, so the caller can decide
 * by Meta's error code; only a transport failure (no response at all) is reported as such.
 */
export async function graphRequest(
	context: GraphContext,
	method: IHttpRequestMethods,
	url: string,
	body?: IDataObject,
	qs?: IDataObject,
): Promise<AttemptResult<unknown>> {
	let response: FullResponse;
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
			method,
			url,
			body,
			qs,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		})) as FullResponse;
	} catch (error) {
		// Connection reset, timeout, DNS: the request may or may not have reached Meta.
		const reason = error instanceof Error ? error.message : String(error);
		return {
			ok: false,
			networkError: true,
			error: { message: `Request to the Graph API failed: ${reason}` },
		};
	}
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return { ok: true, value: response.body };
	}
	return {
		ok: false,
		error: parseGraphError(response.body, response.statusCode),
		retryAfterSeconds: parseRetryAfter(response.headers?.['retry-after'], Date.now()),
	};
}

/** POST /{phone-number-id}/messages, reading the wamid from Meta's answer. */
export async function postMessage(
	context: IExecuteFunctions,
	settings: GraphSettings,
	payload: IDataObject,
): Promise<AttemptResult<SentMessage>> {
	const result = await graphRequest(
		context,
		'POST',
		`${settings.baseUrl}/${settings.phoneNumberId}/messages`,
		payload,
	);
	if (!result.ok) return result;
	const body = (result.value ?? {}) as {
		messages?: Array<{ id?: string }>;
		contacts?: Array<{ wa_id?: string }>;
	};
	return {
		ok: true,
		value: {
			messageId: body.messages?.[0]?.id,
			waId: body.contacts?.[0]?.wa_id,
		},
	};
}
