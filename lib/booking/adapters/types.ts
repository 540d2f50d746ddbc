import type { BookingEvent, BookingEventType } from '../schema';

/** What an adapter could map. `missing` lists dotted paths an enrichment step must fill. */
export interface AdaptedBookingEvent {
	event: Partial<BookingEvent>;
	missing: string[];
}
export interface AdapterResult {
	events: AdaptedBookingEvent[];
	ignored: Array<{ reason: string }>;
}
export type { BookingEventType };

export const isRecord = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

export const idString = (v: unknown): string | undefined =>
	typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
