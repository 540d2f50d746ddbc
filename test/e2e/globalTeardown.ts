import type { FakeCloudApi } from '../../scripts/fake-cloud-api/server';
import type { N8nInstance } from '../../scripts/n8n-runtime';

export default async function globalTeardown(): Promise<void> {
	const handles = (globalThis as Record<string, unknown>).__E2E__ as { fake: FakeCloudApi; n8n: N8nInstance } | undefined;
	if (!handles) return;
	await handles.n8n.stop();
	await handles.fake.close();
}
