import type { IWebhookFunctions } from 'n8n-workflow';

import { cachedCredentials, CREDENTIAL_TTL_MS, REFETCH_MIN_INTERVAL_MS } from '../../nodes/BookingEventTrigger/credentialCache';

/** A webhook context whose getCredentials returns the current `secret` and counts reads. */
function fakeContext(workflowId: string, credentialId = 'c1') {
	const state = { secret: 'first', reads: 0, fail: false };
	const context = {
		getNode: () => ({ id: 'node-1', credentials: { resortBookingWebhookApi: { id: credentialId, name: 'Booking' } } }),
		getWorkflow: () => ({ id: workflowId }),
		getCredentials: async () => {
			state.reads++;
			if (state.fail) throw new Error('credential gone');
			return { signingSecret: state.secret };
		},
	} as unknown as IWebhookFunctions;
	return { context, state };
}

describe('trigger credential cache', () => {
	it('reads n8n once per TTL, and again after it', async () => {
		const { context, state } = fakeContext('wf-ttl');
		const t0 = 1_000_000;
		expect((await cachedCredentials(context, 'resortBookingWebhookApi', t0)).data.signingSecret).toBe('first');
		state.secret = 'second';
		expect((await cachedCredentials(context, 'resortBookingWebhookApi', t0 + CREDENTIAL_TTL_MS - 1)).data.signingSecret).toBe('first');
		expect(state.reads).toBe(1);
		expect((await cachedCredentials(context, 'resortBookingWebhookApi', t0 + CREDENTIAL_TTL_MS)).data.signingSecret).toBe('second');
		expect(state.reads).toBe(2);
	});

	it('refetches on request, but at most once per interval', async () => {
		const { context, state } = fakeContext('wf-refetch');
		const t0 = 2_000_000;
		const early = await cachedCredentials(context, 'resortBookingWebhookApi', t0);
		state.secret = 'rotated';
		expect(await early.refetch()).toBeUndefined();
		expect(state.reads).toBe(1);
		const later = await cachedCredentials(context, 'resortBookingWebhookApi', t0 + REFETCH_MIN_INTERVAL_MS);
		expect(later.data.signingSecret).toBe('first');
		expect((await later.refetch())?.signingSecret).toBe('rotated');
		expect(state.reads).toBe(2);
		// the refreshed entry now serves everyone
		expect((await cachedCredentials(context, 'resortBookingWebhookApi', t0 + REFETCH_MIN_INTERVAL_MS + 1)).data.signingSecret).toBe('rotated');
		expect(state.reads).toBe(2);
	});

	it('keeps workflows and credential ids apart, and does not remember a failed read', async () => {
		const a = fakeContext('wf-a');
		const b = fakeContext('wf-b');
		const t0 = 3_000_000;
		a.state.secret = 'secret-a';
		b.state.secret = 'secret-b';
		expect((await cachedCredentials(a.context, 'resortBookingWebhookApi', t0)).data.signingSecret).toBe('secret-a');
		expect((await cachedCredentials(b.context, 'resortBookingWebhookApi', t0)).data.signingSecret).toBe('secret-b');
		const c = fakeContext('wf-c');
		c.state.fail = true;
		await expect(cachedCredentials(c.context, 'resortBookingWebhookApi', t0)).rejects.toThrow('credential gone');
		c.state.fail = false;
		expect((await cachedCredentials(c.context, 'resortBookingWebhookApi', t0 + 1)).data.signingSecret).toBe('first');
		expect(c.state.reads).toBe(2);
	});
});
