import type { IWebhookFunctions } from 'n8n-workflow';

import type { SeenKeys } from '../../lib/whatsapp';

/**
 * For a trigger that lets n8n answer (once the execution is stored, or once the run parked or
 * ended): until that answer the keys are marked unanswered (a repeat meanwhile is not yet a
 * duplicate); if it is not a 2xx (n8n could not store the execution, or the run failed), the
 * sender will deliver again, so the keys of this request must not count as seen.
 */
export function forgetUnlessAcknowledged(context: IWebhookFunctions, seen: SeenKeys, keys: string[]): void {
	const res = context.getResponseObject();
	seen.awaitAnswer(keys);
	// 'close' also fires when the sender hung up before the answer (its timeout): not acknowledged.
	res.once('close', () => seen.answered(keys, res.writableFinished && res.statusCode >= 200 && res.statusCode < 300));
}
