/** The shipped journey workflows deployed into a bench n8n (timers bench, heap probe). */
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import type { TemplateSeed } from '../../scripts/fake-cloud-api/server';
import { REPO_ROOT, type N8nInstance, type WorkflowJson } from '../../scripts/n8n-runtime';
import { findTemplate, loadTemplates, toMetaTemplate } from '../../lib/templates';

export type Credential = { id: string; name: string };
type NodeJson = WorkflowJson['nodes'][number] & { webhookId?: string; credentials?: Record<string, Credential>; parameters?: Record<string, unknown> };

export const digits = (n: number) => {
	let s = String(1 + (randomBytes(1)[0] % 9));
	while (s.length < n) s += String(randomBytes(1)[0] % 10);
	return s;
};

/** A template in every language in Meta's form, as templates:push creates it (lib/templates). */
export function journeyTemplates(name: string): TemplateSeed[] {
	const definition = findTemplate(loadTemplates(), name);
	return Object.keys(definition.languages).map((language) => toMetaTemplate(definition, language) as unknown as TemplateSeed);
}

export function loadWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as WorkflowJson;
}

/** The shipped workflow with this instance's credentials, fresh webhook ids and parameter overrides. */
export async function deploy(
	n8n: N8nInstance,
	workflow: WorkflowJson,
	credentials: Record<string, Credential>,
	overrides: Record<string, Record<string, unknown>> = {},
): Promise<{ id: string; webhookIds: Record<string, string> }> {
	const webhookIds: Record<string, string> = {};
	const nodes = (workflow.nodes as NodeJson[]).map((node) => {
		const copy = JSON.parse(JSON.stringify(node)) as NodeJson;
		if (copy.webhookId) {
			copy.webhookId = randomUUID();
			webhookIds[copy.name] = copy.webhookId;
		}
		for (const type of Object.keys(copy.credentials ?? {})) {
			if (!credentials[type]) throw new Error(`no ${type} credential for node ${copy.name}`);
			copy.credentials![type] = credentials[type];
		}
		if (overrides[copy.name]) copy.parameters = { ...(copy.parameters ?? {}), ...overrides[copy.name] };
		return copy;
	});
	const id = await n8n.api.createWorkflow({ ...workflow, nodes });
	await n8n.api.activateWorkflow(id);
	return { id, webhookIds };
}

export function quietHoursOff(workflow: WorkflowJson): WorkflowJson {
	const node = (workflow.nodes as NodeJson[]).find((n) => n.name === 'Settings') as unknown as {
		parameters: { assignments: { assignments: Array<{ name: string; value: unknown }> } };
	};
	for (const assignment of node.parameters.assignments.assignments) {
		if (assignment.name === 'quietHoursStart' || assignment.name === 'quietHoursEnd') assignment.value = '00:00';
	}
	return workflow;
}

