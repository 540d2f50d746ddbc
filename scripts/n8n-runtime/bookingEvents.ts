/**
 * Booking events as a booking platform sends them, for tests, the reliability suite and benches:
 * one builder, so every scenario exercises the same contract (lib/booking/schema.ts).
 */
import { randomUUID } from 'crypto';

import type { BookingEventType } from '../../lib/booking';

export interface EventGuest {
	bookingId: string;
	phone: string;
	name: string;
	language: string;
	/** Marketing opt-in; default true (reminders need it). */
	consent?: boolean;
}

export const BOOKING_SITE = 'https://book.example-resort.com/';

/**
 * A valid event of `type` for the guest's booking: a family suite in July, Madrid time zone, a
 * fresh event id. A confirmation carries `amount` (default 1240 EUR) and the reservation's page;
 * an extra bought (`extra_purchased`) its amount (default 180 EUR) and the spa extra, no stay.
 */
export function bookingEventBody(type: BookingEventType, guest: EventGuest, options: { amount?: number; currency?: string } = {}): Record<string, unknown> {
	const body: Record<string, unknown> = {
		eventId: `evt-${randomUUID()}`,
		type,
		occurredAt: new Date().toISOString(),
		bookingId: guest.bookingId,
		guest: {
			phone: guest.phone,
			name: guest.name,
			language: guest.language,
			marketingConsent: guest.consent ?? true,
			timeZone: 'Europe/Madrid',
		},
		stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: 2, children: 1, accommodationId: 'family-suite' },
		source: 'direct',
		bookingUrl: `${BOOKING_SITE}resume/${guest.bookingId}`,
	};
	if (type === 'extra_purchased') {
		delete body.stay;
		delete body.bookingUrl;
		body.amount = { value: options.amount ?? 180, currency: options.currency ?? 'EUR' };
		body.extra = { id: 'spa-for-two', name: 'Sunset spa ritual for two' };
	}
	if (type === 'reservation_confirmed') {
		body.amount = { value: options.amount ?? 1240, currency: options.currency ?? 'EUR' };
		body.bookingUrl = `${BOOKING_SITE}reservations/${guest.bookingId}`;
	}
	return body;
}
