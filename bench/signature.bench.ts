/** Booking-webhook signature verifications per second. Run: npx tsx bench/signature.bench.ts — last line is JSON. */
import { signBookingWebhook, verifyBookingWebhook } from '../lib/booking/auth';

const secret = 'whsec_bench_0123456789abcdef';
const now = 1_781_000_000;
const clock = () => now;

function bench(bytes: number, runs: number) {
	const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) });
	const header = signBookingWebhook(body, secret, now);
	const headers = { 'x-resort-signature': header };
	for (let i = 0; i < 2000; i++) verifyBookingWebhook(body, headers, { secret, now: clock });
	const t0 = process.hrtime.bigint();
	let ok = 0;
	for (let i = 0; i < runs; i++) if (verifyBookingWebhook(body, headers, { secret, now: clock }).ok) ok++;
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	if (ok !== runs) throw new Error('verification failed during bench');
	return { bodyBytes: body.length, runs, perSecond: Math.round(runs / seconds), microsPerVerify: Number(((seconds / runs) * 1e6).toFixed(2)) };
}

const results = [bench(1_000, 100_000), bench(10_000, 30_000), bench(100_000, 5_000)];
console.log(JSON.stringify({ bench: 'verifyBookingWebhook', node: process.version, results }));
