/**
 * The dashboard page (lib/analytics/dashboard.ts) on the hand-worked scripted day: every figure
 * the page names equals what computeAnalytics computes, the page is self-contained and phone-sized,
 * and text from the events is escaped.
 */
import { computeAnalytics, formatFigure, renderDashboard, type AnalyticsEvent } from '../../lib';
import { DAY, HISTORY } from '../support/analyticsHistory';
import { expectedDashboardFigures, readDashboardFigures } from '../support/dashboardFigures';

const figures = computeAnalytics(HISTORY, DAY);
const html = renderDashboard(figures, { title: 'Playa Serena', generatedAt: '2026-11-02T08:00:00Z', events: HISTORY.length });

test('every figure on the page is the computed one, and every computed figure is on the page', () => {
	const shown = readDashboardFigures(html);
	const { events, ...rest } = shown;
	expect(events).toBe(HISTORY.length);
	expect(rest).toEqual(expectedDashboardFigures(figures));
	// Spot checks against the hand-worked day (test/unit/analytics.test.ts).
	expect(shown['webhooks.rejectionRate']).toBe(0.2);
	expect(shown['messages.deliveryRate']).toBe(0.625);
	expect(shown['funnel.first_contact']).toBe(4);
	expect(shown['revenue.template.booking_reminder_1.EUR']).toBe(1240);
});

test('the text shown is the formatted value', () => {
	expect(html).toContain('data-figure="messages.deliveryRate" data-value="0.625">62.5%<');
	expect(html).toContain('data-figure="latency.sendToDelivered.p95" data-value="4000">4000 ms<');
	expect(formatFigure(null, 'rate')).toBe('–');
	expect(formatFigure(0.33333, 'rate')).toBe('33.3%');
	expect(formatFigure(12_345, 'ms')).toBe('12.3 s');
	expect(formatFigure(1240, 'money', 'EUR')).toBe('1240.00 EUR');
});

test('charts are inline SVG; nothing is fetched; the page fits a phone', () => {
	expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
	expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
	expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(|@import|src=|href=/i);
	expect(html).toContain('<title>Playa Serena</title>');
});

test('text from events is escaped', () => {
	const nasty: AnalyticsEvent[] = [
		{ type: 'webhook_rejected', at: '2026-11-01T10:00:00Z', reason: '<script>alert(1)</script>', httpStatus: 401 },
		{ type: 'message_sent', at: '2026-11-01T10:00:00Z', template: '"><img src=x>', language: 'en', messageId: 'wamid.x' },
	];
	const page = renderDashboard(computeAnalytics(nasty, DAY));
	expect(page).not.toContain('<script>');
	expect(page).not.toContain('<img');
	expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; (401)');
});

test('an empty period renders with empty figures, not zeros pretending to be rates', () => {
	const page = renderDashboard(computeAnalytics([], DAY));
	const shown = readDashboardFigures(page);
	expect(shown['messages.deliveryRate']).toBeNull();
	expect(shown['revenue.total']).toBeNull();
	expect(page).toContain('No webhook was rejected in this period.');
});
