/**
 * Cloudbeds webhooks → booking events. Cloudbeds posts thin payloads, e.g.
 *   {"version":"1.0","event":"reservation/status_changed","timestamp":1766005381.816514,
 *    "propertyID":318267,"propertyID_str":"318267","reservationID":"7061304407766","status":"canceled"}
 * (reservation/created carries startDate/endDate instead of status). Guest, occupancy, room type
 * and price are not in the webhook: they are reported in `missing` for a follow-up getReservation.
 */
import { missingFields, type BookingEventType } from '../schema';
import { idString, isRecord, type AdaptedBookingEvent, type AdapterResult } from './types';

/** Cloudbeds reservation status → booking event type; statuses without a guest message map to null. */
export const CLOUDBEDS_STATUS_TYPES: Record<string, BookingEventType | null> = {
	confirmed: 'reservation_confirmed',
	canceled: 'reservation_cancelled',
	cancelled: 'reservation_cancelled',
	checked_in: 'checked_in',
	checked_out: 'checked_out',
	not_confirmed: null,
	no_show: null,
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Deterministic id: a redelivery of the same notification yields the same eventId. */
export function cloudbedsEventId(propertyId: string, reservationId: string, statusOrAction: string, timestamp: string): string {
	return `cloudbeds:${propertyId}:${reservationId}:${statusOrAction}:${timestamp}`;
}

function occurredAt(timestamp: unknown): string | undefined {
	if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp <= 0) return undefined;
	return new Date(Math.round(timestamp * 1000)).toISOString();
}

export function adaptCloudbeds(json: unknown): AdapterResult {
	const result: AdapterResult = { events: [], ignored: [] };
	if (!isRecord(json)) {
		result.ignored.push({ reason: 'not a Cloudbeds webhook: body is not a JSON object' });
		return result;
	}
	const event = typeof json.event === 'string' ? json.event : undefined;
	if (event !== 'reservation/created' && event !== 'reservation/status_changed') {
		result.ignored.push({ reason: `Cloudbeds event ${event ?? '(none)'} is not handled (only reservation/created, reservation/status_changed)` });
		return result;
	}
	const reservationId = idString(json.reservationID);
	const propertyId = idString(json.propertyID_str) ?? idString(json.propertyID);
	const at = occurredAt(json.timestamp);
	if (!reservationId || !propertyId || !at) {
		result.ignored.push({ reason: `Cloudbeds ${event} without reservationID, propertyID or a valid timestamp` });
		return result;
	}
	const timestamp = String(json.timestamp);
	const status = typeof json.status === 'string' ? json.status : undefined;

	let type: BookingEventType | undefined;
	if (event === 'reservation/status_changed') {
		if (!status || !(status in CLOUDBEDS_STATUS_TYPES)) {
			result.ignored.push({ reason: `Cloudbeds status ${status ?? '(none)'} is not a known reservation status` });
			return result;
		}
		const mapped = CLOUDBEDS_STATUS_TYPES[status];
		if (mapped === null) {
			result.ignored.push({ reason: `Cloudbeds status ${status} does not trigger a guest message` });
			return result;
		}
		type = mapped;
	}
	// reservation/created has no status: a new reservation may still be not_confirmed, so the
	// type is left to the follow-up fetch instead of guessing "confirmed".

	const adapted: Record<string, unknown> = {
		eventId: cloudbedsEventId(propertyId, reservationId, status ?? 'created', timestamp),
		occurredAt: at,
		bookingId: reservationId,
		source: 'cloudbeds',
		metadata: { platform: 'cloudbeds', event, propertyId, ...(status ? { status } : {}) },
	};
	if (type) adapted.type = type;
	const startDate = typeof json.startDate === 'string' && DATE.test(json.startDate) ? json.startDate : undefined;
	const endDate = typeof json.endDate === 'string' && DATE.test(json.endDate) ? json.endDate : undefined;
	if (startDate || endDate) {
		// Partial stay: only the dates are known; missingFields lists the rest.
		adapted.stay = { ...(startDate ? { checkIn: startDate } : {}), ...(endDate ? { checkOut: endDate } : {}) };
	}
	const entry: AdaptedBookingEvent = { event: adapted as AdaptedBookingEvent['event'], missing: missingFields(adapted) };
	result.events.push(entry);
	return result;
}
