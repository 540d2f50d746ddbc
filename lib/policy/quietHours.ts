/**
 * Quiet hours on the guest's wall clock, DST-safe: every step works on local dates and times
 * through luxon, never by adding fixed durations across midnight.
 */
import { DateTime } from 'luxon';

import { PolicyInputError, type QuietHours } from './types';

const HH_MM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight for 'HH:mm'. */
export function parseClockTime(value: string, field: string): number {
	const match = HH_MM.exec(String(value).trim());
	if (!match) throw new PolicyInputError(field, `"${value}" is not a time of day (HH:mm)`);
	return Number(match[1]) * 60 + Number(match[2]);
}

function minuteOfDay(t: DateTime): number {
	return t.hour * 60 + t.minute;
}

interface ParsedQuietHours {
	start: number;
	end: number;
}

export function parseQuietHours(quietHours: QuietHours): ParsedQuietHours {
	return {
		start: parseClockTime(quietHours.start, 'quietHours.start'),
		end: parseClockTime(quietHours.end, 'quietHours.end'),
	};
}

/** [start, end) on the local clock; wraps midnight when start > end; empty when equal. */
export function isQuietAt(t: DateTime, { start, end }: ParsedQuietHours): boolean {
	const m = minuteOfDay(t);
	if (start === end) return false;
	return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The first instant on `date`'s local day whose wall clock reads `minutes` or later. When that
 * wall time does not exist (spring-forward gap), it is the end of the gap, not luxon's shifted
 * time an hour later.
 */
function atWallClock(date: DateTime, minutes: number): DateTime {
	const hour = Math.floor(minutes / 60);
	const minute = minutes % 60;
	let t = date.set({ hour, minute, second: 0, millisecond: 0 });
	if (t.hour === hour && t.minute === minute) return t;
	for (let i = 0; i < 24 * 60; i++) {
		const previous = t.minus({ minutes: 1 });
		if (!previous.hasSame(t, 'day') || minuteOfDay(previous) < minutes) break;
		t = previous;
	}
	return t;
}

/** Rounds up to the next whole minute (unchanged when already on one). */
export function ceilToMinute(t: DateTime): DateTime {
	const floor = t.startOf('minute');
	return floor.equals(t) ? t : floor.plus({ minutes: 1 });
}

/**
 * `t` itself when it is outside quiet hours, else the minute quiet hours end on the guest's
 * clock. `t` must already be in the guest's zone.
 */
export function nextAllowedMinute(t: DateTime, quiet: ParsedQuietHours): DateTime {
	if (!isQuietAt(t, quiet)) return t;
	const wraps = quiet.start > quiet.end;
	const day = wraps && minuteOfDay(t) >= quiet.start ? t.plus({ days: 1 }) : t;
	const candidate = atWallClock(day.startOf('day'), quiet.end);
	if (candidate > t && !isQuietAt(candidate, quiet)) return candidate;
	// Fall-back repeat of the end time (the wall clock passes it twice): walk to the exit.
	let step = ceilToMinute(t);
	for (let i = 0; i < 2 * 24 * 60 && isQuietAt(step, quiet); i++) step = step.plus({ minutes: 1 });
	return step;
}
