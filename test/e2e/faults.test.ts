/**
 * Short fault run (issue #9.3, short version for npm test; the full size runs in
 * `npm run reliability`): FAULTS_BOOKINGS bookings (default 40) with duplicated, out-of-order
 * events while the fake Cloud API faults 30 % of message requests (retryable and non-retryable
 * Graph errors, slow answers, dropped connections; test/reliability/faults.ts). Asserts per
 * booking, from the fake's request log and the Data tables: every required message accepted
 * exactly once or, never accepted, exactly one review-queue row naming it; nothing lost, nothing
 * duplicated, at most 4 requests (1 + 3 retries) per message.
 */
import { runFaults } from '../reliability/faults';
import { connect } from '../support/e2e';
import { registerGuestPhone } from '../support/guestPhones';

const BOOKINGS = Number(process.env.FAULTS_BOOKINGS ?? 40);
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 150);

const SEED = process.env.FAULTS_SEED ? Number(process.env.FAULTS_SEED) : undefined;

jest.setTimeout(20 * 60_000);

const { env, n8n, fake } = connect();

test(`faults: 30 % of sends fail (mixed), ${BOOKINGS} bookings → every message delivered once or in review once, retries within policy`, async () => {
	const result = await runFaults(
		{ label: 'sqlite', baseUrl: env.n8nUrl, api: n8n, fake, onPhone: registerGuestPhone, log: (line) => process.stderr.write(`[faults] ${line}\n`) },
		{ bookings: BOOKINGS, events: EVENTS, concurrency: 6, wait1S: 45, reminder2S: 20, settleTimeoutMs: 10 * 60_000, seed: SEED },
	);
	expect(result.failedBookings).toEqual([]);
	expect(result.settled).toBe(true);
	expect(result.lost).toBe(0);
	expect(result.duplicates).toBe(0);
	expect(result.unexpected).toBe(0);
	expect(result.wrongStage).toBe(0);
	expect(result.maxAttemptsPerMessage).toBeLessThanOrEqual(4);
	// The faults did fire, and some messages did end in the review queue (non-retryable codes).
	expect(result.faultRate).toBeGreaterThan(0.1);
	expect(result.inReview).toBeGreaterThan(0);
	expect(result.delivered.reservation_confirmation).toBeGreaterThan(0);
});
