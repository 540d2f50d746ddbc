/**
 * Mews General Webhooks → booking events. Mews posts
 *   {"EnterpriseId":"…","IntegrationId":"…","Events":[{"Discriminator":"ServiceOrderUpdated","Value":{"Id":"…"}}, …]}
 * with only entity ids: no state, no timestamp. A ServiceOrderUpdated (a reservation) becomes one
 * partial event per reservation; everything else — including type and eventId, which depend on the
 * reservation's State and UpdatedUtc — comes from `reservations/getAll` (see completeMewsEvent).
 */
import { DateTime } from 'luxon';
import { missingFields, type BookingEventType } from '../schema';
import { idString, isRecord, type AdaptedBookingEvent, type AdapterResult } from './types';

/** Mews reservation State → booking event type; states without a guest message map to null. */
export const MEWS_STATE_TYPES: Record<string, BookingEventType | null> = {
	Confirmed: 'reservation_confirmed',
	Canceled: 'reservation_cancelled',
	Started: 'checked_in',
	Processed: 'checked_out',
	Inquired: null,
	Enquired: null,
	Requested: null,
	Optional: null,
};

/** Deterministic id once the reservation was fetched: same state change ⇒ same eventId. */
export function mewsEventId(enterpriseId: string, reservationId: string, state: string, updatedUtc: string): string {
	return `mews:${enterpriseId}:${reservationId}:${state}:${updatedUtc}`;
}

export function adaptMews(json: unknown): AdapterResult {
	const result: AdapterResult = { events: [], ignored: [] };
	if (!isRecord(json) || !Array.isArray(json.Events)) {
		result.ignored.push({ reason: 'not a Mews General Webhook: no Events array' });
		return result;
	}
	const enterpriseId = idString(json.EnterpriseId);
	const integrationId = idString(json.IntegrationId);
	if (!enterpriseId) {
		result.ignored.push({ reason: 'Mews webhook without EnterpriseId' });
		return result;
	}
	const seen = new Set<string>();
	for (const item of json.Events) {
		const discriminator = isRecord(item) && typeof item.Discriminator === 'string' ? item.Discriminator : undefined;
		const id = isRecord(item) && isRecord(item.Value) ? idString(item.Value.Id) : undefined;
		if (discriminator !== 'ServiceOrderUpdated') {
			result.ignored.push({ reason: `Mews ${discriminator ?? '(no discriminator)'}${id ? ` ${id}` : ''} is not a reservation event` });
			continue;
		}
		if (!id) {
			result.ignored.push({ reason: 'Mews ServiceOrderUpdated without Value.Id' });
			continue;
		}
		if (seen.has(id)) {
			result.ignored.push({ reason: `Mews ServiceOrderUpdated ${id} repeated in the same message` });
			continue;
		}
		seen.add(id);
		const adapted: Record<string, unknown> = {
			bookingId: id,
			source: 'mews',
			metadata: { platform: 'mews', discriminator, enterpriseId, ...(integrationId ? { integrationId } : {}) },
		};
		const missing = missingFields(adapted); // includes type, eventId, occurredAt
		const entry: AdaptedBookingEvent = { event: adapted as AdaptedBookingEvent['event'], missing };
		result.events.push(entry);
	}
	return result;
}

/** The fields of a Mews reservation (reservations/getAll ver 2023-06-06) this package reads. */
export interface MewsReservation {
	Id: string;
	State: string;
	UpdatedUtc: string;
	ScheduledStartUtc?: string;
	ScheduledEndUtc?: string;
	RequestedResourceCategoryId?: string;
}

/**
 * Fills what a fetched Mews reservation tells: type (from State), a deterministic eventId,
 * occurredAt (UpdatedUtc) and, given the property's IANA time zone, the local stay dates.
 * Returns null when the state does not trigger a guest message. Guest data (customers/getAll
 * with the reservation's AccountId) and occupancy still have to be added by the caller.
 */
export function completeMewsEvent(
	adapted: AdaptedBookingEvent,
	reservation: MewsReservation,
	options: { propertyTimeZone?: string; accommodationIdFor?: (resourceCategoryId: string) => string | undefined } = {},
): AdaptedBookingEvent | null {
	const type = MEWS_STATE_TYPES[reservation.State];
	if (!type) return null;
	const meta = (adapted.event.metadata ?? {}) as Record<string, unknown>;
	const enterpriseId = String(meta.enterpriseId ?? '');
	const event: Record<string, unknown> = {
		...adapted.event,
		type,
		eventId: mewsEventId(enterpriseId, reservation.Id, reservation.State, reservation.UpdatedUtc),
		occurredAt: DateTime.fromISO(reservation.UpdatedUtc, { zone: 'utc' }).toISO() ?? reservation.UpdatedUtc,
		metadata: { ...meta, state: reservation.State },
	};
	const stay: Record<string, unknown> = { ...((adapted.event.stay ?? {}) as Record<string, unknown>) };
	const zone = options.propertyTimeZone;
	const localDate = (utc: string | undefined) => (utc && zone ? DateTime.fromISO(utc, { zone: 'utc' }).setZone(zone).toISODate() ?? undefined : undefined);
	const checkIn = localDate(reservation.ScheduledStartUtc);
	const checkOut = localDate(reservation.ScheduledEndUtc);
	if (checkIn) stay.checkIn = checkIn;
	if (checkOut) stay.checkOut = checkOut;
	const category = reservation.RequestedResourceCategoryId;
	const accommodationId = category ? (options.accommodationIdFor ? options.accommodationIdFor(category) : category) : undefined;
	if (accommodationId) stay.accommodationId = accommodationId;
	if (Object.keys(stay).length > 0) event.stay = stay;
	return { event: event as AdaptedBookingEvent['event'], missing: missingFields(event) };
}
