// The catalog reads the worker serves as shared text (engine/answer-texts.ts): each built once per index
// of the rows it read and per variant (a health selection, `?pretty`, a UI filter), then a copy per reader.
import type { ServiceEntry } from '../../worker/consul/check';
import { summariseServices, uiInstances, type NodeInfo } from '../../worker/consul/ui';
import { applyFilter } from '../../worker/http/filter';
import { answerJson, selectEntries, selectionKey, type HealthSelection } from '../../worker/http/health-selection';
import type { AnswerTexts } from '../engine/answer-texts';
import type { ReadContext, Reads } from '../engine/reads';
import * as q from './reads';
import type { ServiceTags } from './service-tags';
import { uiNodes } from './ui-reads';

export interface JsonAnswersContext {
  read: ReadContext;
  reads: Reads;
  answers: AnswerTexts;
  serviceTags: ServiceTags;
}

/** `/v1/catalog/services` (name → tags), built once per index of the services table. */
export function catalogServicesJson({ read, reads, answers, serviceTags }: JsonAnswersContext, pretty: boolean) {
  const query = q.catalogServices(read, serviceTags);
  return answers.text(query, pretty ? 'pretty' : '', () => reads.shared(query), (value) => answerJson(value, pretty));
}

/** One selection of `/v1/health/service/<name>` (none: the whole list), built once per index of the service's rows. */
export function healthServiceNodesJson({ read, reads, answers }: JsonAnswersContext, name: string, selection?: HealthSelection) {
  const query = q.healthServiceNodes(read, name);
  const build = (entries: ServiceEntry[]) => (selection ? answerJson(selectEntries(entries, selection), selection.pretty) : JSON.stringify(entries));
  return answers.text(query, selection ? selectionKey(selection) : '', () => reads.shared(query), build);
}

/** `/v1/internal/ui/services`, once per (catalog index, filter); the worker validated the filter. */
export function uiServicesJson({ read, reads, answers }: JsonAnswersContext, filter: string, pretty: boolean) {
  const query = uiNodes(read);
  const build = (nodes: NodeInfo[]) => answerJson(summariseServices(applyFilter(filter, uiInstances(nodes)), read.datacenter), pretty);
  return answers.text(query, `services\u0000${pretty}\u0000${filter}`, () => reads.shared(query), build);
}

/** `/v1/internal/ui/nodes`, once per (catalog index, filter). */
export function uiNodesJson({ read, reads, answers }: JsonAnswersContext, filter: string, pretty: boolean) {
  const query = uiNodes(read);
  const build = (nodes: NodeInfo[]) => answerJson(applyFilter(filter, nodes), pretty);
  return answers.text(query, `nodes\u0000${pretty}\u0000${filter}`, () => reads.shared(query), build);
}
