/**
 * Short event storm (issue #9.2, short version for npm test; the full size runs in
 * `npm run reliability`): STORM_BOOKINGS bookings (default 60) and STORM_EVENTS events (default
 * 300), duplicated and out of order, 6 bookings at a time with each booking's events posted at
 * once, against the shared e2e n8n. test/reliability/storm.ts does the work; this asserts its
 * figures: every journey in the right stage, every required message accepted by the fake exactly
 * once, nothing sent that should not be.
 */
import { runStorm } from '../reliability/storm';
import { connect } from '../support/e2e';
import { registerGuestPhone } from '../support/guestPhones';

const BOOKINGS = Number(process.env.STORM_BOOKINGS ?? 60);
const EVENTS = Number(process.env.STORM_EVENTS ?? 300);
const WAIT1_S = Number(process.env.STORM_WAIT1_S ?? 45);

const SEED = process.env.STORM_SEED ? Number(process.env.STORM_SEED) : undefined;

jest.setTimeout(20 * 60_000);

const { env, n8n, fake } = connect();

test(`storm: ${EVENTS} events for ${BOOKINGS} bookings, duplicated and out of order → every journey right, no duplicate, none missing`, async () => {
	const result = await runStorm(
		{ label: 'sqlite', baseUrl: env.n8nUrl, api: n8n, fake, onPhone: registerGuestPhone, log: (line) => process.stderr.write(`[storm] ${line}\n`) },
		{ bookings: BOOKINGS, events: EVENTS, concurrency: 6, wait1S: WAIT1_S, reminder2S: 20, settleTimeoutMs: 10 * 60_000, seed: SEED },
	);
	expect(result.failedBookings).toEqual([]);
	expect(result.settled).toBe(true);
	expect(result.events).toBeGreaterThanOrEqual(EVENTS);
	expect(result.duplicates).toBe(0);
	expect(result.missing).toBe(0);
	expect(result.unexpected).toBe(0);
	expect(result.wrongStage).toBe(0);
	expect(result.rowCountWrong).toBe(0);
	// The run did exercise every kind of message.
	expect(result.delivered.booking_reminder_1).toBeGreaterThan(0);
	expect(result.delivered.booking_reminder_2).toBeGreaterThan(0);
	expect(result.delivered.reservation_confirmation).toBeGreaterThan(0);
	// Every event was finally acknowledged (a 5xx is redelivered, like a booking platform does).
	expect(result.postStatus['202']).toBe(result.events);
	expect(result.executionsNotSuccessful).toEqual({});
});
