type ReadResult = { ok: true; body: Buffer } | { ok: false; status: number; reason: string };

interface N8nRequest {
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

/**
 * The exact request bytes. n8n attaches `readRawBody()` to webhook requests and enforces its
 * payload limit (N8N_PAYLOAD_SIZE_MAX) while reading; going over it is a 413 for the sender.
 */
export async function readRawBody(request: unknown): Promise<ReadResult> {
	const req = request as N8nRequest;
	if (!req.rawBody && typeof req.readRawBody === 'function') {
		const failure = await req.readRawBody().then(
			() => undefined,
			(error: { type?: string }) => error,
		);
		if (failure) {
			return failure.type === 'entity.too.large'
				? { ok: false, status: 413, reason: 'Payload too large' }
				: {
						ok: false,
						status: 400,
						reason: 'The request body could not be read',
					};
		}
	}
	return {
		ok: true,
		body: Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0),
	};
}
