/** The restart scenario's split of duplicates into the documented at-least-once window and the rest (test/reliability/restart.ts). */
import type { RequestRecord } from '../../scripts/fake-cloud-api/server';
import { classifyDuplicates } from '../reliability/restart';

const KILL = Date.parse('2026-12-02T12:00:00.000Z');
let seq = 0;
function send(to: string, template: string, at: number, status = 200): RequestRecord {
	seq += 1;
	return {
		seq,
		at: new Date(at).toISOString(),
		method: 'POST',
		path: '/v23.0/PN/messages',
		query: {},
		headers: {},
		body: { to, template: { name: template } },
		kind: 'messages',
		status,
		response: status === 200 ? { messages: [{ id: `wamid.${seq}` }] } : null,
	};
}
const bookings = [
	{ bookingId: 'bk-a', phone: '+34700000001' },
	{ bookingId: 'bk-b', phone: '+34700000002' },
	{ bookingId: 'bk-c', phone: '+34700000003' },
];

test('accepted before the kill and not recorded, then sent again: the at-least-once window', () => {
	const first = send('34700000001', 'booking_reminder_1', KILL - 200);
	const replay = send('34700000001', 'booking_reminder_1', KILL + 120_000);
	const out = classifyDuplicates([first, replay], [{ bookingId: 'bk-a', reminder1MessageId: 'wamid.' + replay.seq }], bookings, KILL);
	expect(out).toEqual([{ bookingId: 'bk-a', template: 'booking_reminder_1', accepted: 2, acceptedBeforeKillUnrecorded: 1, window: 1 }]);
});

test('a duplicate after the restart, or of a recorded message, is not the window', () => {
	// Both after the kill: nothing explains it.
	const late = [send('34700000002', 'reservation_confirmation', KILL + 1000), send('34700000002', 'reservation_confirmation', KILL + 2000)];
	// Before the kill, but the row holds that very id: the crashed run had recorded it, the second copy is a real duplicate.
	const recorded = send('34700000003', 'booking_reminder_2', KILL - 5000);
	const again = send('34700000003', 'booking_reminder_2', KILL + 5000);
	const out = classifyDuplicates(
		[...late, recorded, again, send('34700000001', 'booking_reminder_1', KILL - 10, 0)],
		[
			{ bookingId: 'bk-b', confirmationMessageId: 'wamid.' + late[1].seq },
			{ bookingId: 'bk-c', reminder2MessageId: 'wamid.' + recorded.seq },
		],
		bookings,
		KILL,
	);
	expect(out).toEqual([
		{ bookingId: 'bk-b', template: 'reservation_confirmation', accepted: 2, acceptedBeforeKillUnrecorded: 0, window: 0 },
		{ bookingId: 'bk-c', template: 'booking_reminder_2', accepted: 2, acceptedBeforeKillUnrecorded: 0, window: 0 },
	]);
});

test('three copies with one explained: one in the window, one other', () => {
	const a = send('34700000001', 'booking_reminder_1', KILL - 100);
	const b = send('34700000001', 'booking_reminder_1', KILL + 1000);
	const c = send('34700000001', 'booking_reminder_1', KILL + 2000);
	const [out] = classifyDuplicates([a, b, c], [{ bookingId: 'bk-a', reminder1MessageId: 'wamid.' + c.seq }], bookings, KILL);
	expect(out).toMatchObject({ accepted: 3, window: 1 });
});
