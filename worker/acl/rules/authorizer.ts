// acl/policy_merger.go + acl/policy_authorizer.go + the static default authorizer behind them.
// Merging compares the raw level strings exactly as Consul does (takesPrecedenceOver), so a rule
// spelt `WRITE` merges like Consul's; decisions then lower-case it (AccessLevelFromString).
import { BLOCKS, SCALARS, type Block, type RawPolicy, type RawRule, type Scalar } from './decode';

export type Need = 'read' | 'list' | 'write';
type Decision = 'allow' | 'deny' | 'default';
/** Resources that name a segment, `intention` being the service rules' `intentions`. */
export type Tree = 'agent' | 'event' | 'key' | 'node' | 'query' | 'service' | 'session' | 'intention';

const RANK: Record<string, number> = { deny: 1, read: 2, list: 3, write: 4 };

/** takesPrecedenceOver(a, b): deny > write > list > read > anything else, on the raw strings. */
export function takesPrecedenceOver(a: string, b: string): boolean {
  for (const level of ['deny', 'write', 'list', 'read']) {
    if (a === level) return true;
    if (b === level) return false;
  }
  return false;
}

/** MergePolicies: per block and name, the strongest rule wins; a service's `intentions` merge on their own. */
export function mergePolicies(policies: readonly RawPolicy[]): RawPolicy {
  const merged = new Map<Block, Map<string, RawRule>>(BLOCKS.map((b) => [b, new Map()]));
  const scalars = Object.fromEntries(SCALARS.map((s) => [s, ''])) as Record<Scalar, string>;
  for (const policy of policies) {
    for (const s of SCALARS) if (takesPrecedenceOver(policy.scalars[s], scalars[s])) scalars[s] = policy.scalars[s];
    for (const block of BLOCKS) {
      const byName = merged.get(block)!;
      for (const rule of policy.blocks[block]) {
        const existing = byName.get(rule.name);
        if (!existing) byName.set(rule.name, rule);
        else if (block === 'service' || block === 'service_prefix') {
          byName.set(rule.name, {
            name: rule.name,
            policy: takesPrecedenceOver(rule.policy, existing.policy) ? rule.policy : existing.policy,
            intentions: takesPrecedenceOver(rule.intentions, existing.intentions) ? rule.intentions : existing.intentions,
          });
        } else if (takesPrecedenceOver(rule.policy, existing.policy)) byName.set(rule.name, rule);
      }
    }
  }
  const blocks = Object.fromEntries(BLOCKS.map((b) => [b, [...merged.get(b)!.values()]])) as RawPolicy['blocks'];
  return { blocks, scalars };
}

/**
 * One resource's rules: exact names in a map; prefixes in a map too, with their distinct lengths
 * longest first, so the longest prefix of a name is a few map lookups (one per length), not a scan
 * of every prefix; and every path, for the whole-tree walks.
 */
interface Rules {
  exact: Map<string, number>;
  prefixes: Map<string, number>;
  lengths: number[];
  paths: Map<string, { exact?: number; prefix?: number }>;
}

function rulesOf(exact: [string, string][], prefix: [string, string][]): Rules {
  const r: Rules = { exact: new Map(), prefixes: new Map(), lengths: [], paths: new Map() };
  const leaf = (name: string) => r.paths.get(name) ?? r.paths.set(name, {}).get(name)!;
  for (const [name, level] of exact) { r.exact.set(name, RANK[level.toLowerCase()]); leaf(name).exact = RANK[level.toLowerCase()]; }
  for (const [name, level] of prefix) r.prefixes.set(name, RANK[level.toLowerCase()]);
  for (const [name, rank] of r.prefixes) leaf(name).prefix = rank;
  r.lengths = [...new Set([...r.prefixes.keys()].map((p) => p.length))].sort((a, b) => b - a);
  return r;
}

/** The rank of the longest prefix rule covering `name`, with that prefix. */
function longestPrefix(rules: Rules, name: string): [string, number] | undefined {
  for (const length of rules.lengths) {
    if (length > name.length) continue;
    const p = length === name.length ? name : name.slice(0, length);
    const rank = rules.prefixes.get(p);
    if (rank !== undefined) return [p, rank];
  }
  return undefined;
}

/** The intentions level of a service rule: explicit, else read for (lower-case) read/write, else deny. */
const intentionOf = (r: RawRule) => (r.intentions !== '' ? r.intentions : r.policy === 'read' || r.policy === 'write' ? 'read' : 'deny');
const pairs = (rules: RawRule[], level: (r: RawRule) => string = (r) => r.policy): [string, string][] => rules.map((r) => [r.name, level(r)]);

export function enforce(rank: number | undefined, need: Need): Decision {
  if (rank === undefined) return 'default';
  if (rank === RANK.write) return 'allow';
  if (rank === RANK.list) return need === 'write' ? 'deny' : 'allow';
  if (rank === RANK.read) return need === 'read' ? 'allow' : 'deny';
  return 'deny';
}

/** The policy authorizer of one merged policy; `default` answers fall through to the caller's default. */
export class PolicyAuthorizer {
  private readonly trees: Record<Tree, Rules>;
  private readonly scalars: Record<Scalar, number | undefined>;

  constructor(policy: RawPolicy) {
    const b = policy.blocks;
    const tree = (name: 'agent' | 'event' | 'key' | 'node' | 'query' | 'service' | 'session') => rulesOf(pairs(b[name]), pairs(b[`${name}_prefix`]));
    this.trees = {
      agent: tree('agent'), event: tree('event'), key: tree('key'), node: tree('node'),
      query: tree('query'), service: tree('service'), session: tree('session'),
      intention: rulesOf(pairs(b.service, intentionOf), pairs(b.service_prefix, intentionOf)),
    };
    this.scalars = Object.fromEntries(SCALARS.map((s) => [s, policy.scalars[s] === '' ? undefined : RANK[policy.scalars[s].toLowerCase()]])) as Record<Scalar, number | undefined>;
  }

  /** getPolicy: the exact rule, else the longest prefix rule. */
  segment(tree: Tree, segment: string, need: Need): Decision {
    const rules = this.trees[tree];
    const exact = rules.exact.get(segment);
    if (exact !== undefined) return enforce(exact, need);
    const covering = longestPrefix(rules, segment);
    return covering ? enforce(covering[1], need) : 'default';
  }

  /** ACL/Keyring/Operator read-write; mesh and peering fall back to operator when unset. */
  global(resource: Scalar, need: 'read' | 'write'): Decision {
    const own = this.scalars[resource];
    if (own === undefined && (resource === 'mesh' || resource === 'peering')) return enforce(this.scalars.operator, need);
    return enforce(own, need);
  }

  /** KeyWritePrefix: write from the longest prefix covering `prefix`, and nothing beneath it granting less. */
  keyWritePrefix(prefix: string): Decision {
    const rules = this.trees.key;
    const covering = longestPrefix(rules, prefix);
    if (covering && covering[1] !== RANK.write) return 'deny';
    for (const [path, leaf] of rules.paths) {
      if (!path.startsWith(prefix)) continue;
      if ((leaf.prefix !== undefined && leaf.prefix !== RANK.write) || (leaf.exact !== undefined && leaf.exact !== RANK.write)) return 'deny';
    }
    return covering ? 'allow' : 'default';
  }

  /** anyAllowed: some rule of the tree grants `need` (ServiceWriteAny, IntentionRead("*")). */
  any(tree: Tree, need: Need): Decision {
    const { paths } = this.trees[tree];
    const root = enforce(paths.get('')?.prefix, need);
    if (root === 'allow') return 'allow';
    for (const leaf of paths.values()) {
      if (enforce(leaf.prefix, need) === 'allow' || enforce(leaf.exact, need) === 'allow') return 'allow';
    }
    return root;
  }

  /** allAllowed: no rule of the tree refuses `need` (ServiceReadAll, NodeReadAll, IntentionWrite("*")). */
  all(tree: Tree, need: Need): Decision {
    const { paths } = this.trees[tree];
    const root = enforce(paths.get('')?.prefix, need);
    if (root === 'deny') return 'deny';
    for (const leaf of paths.values()) {
      if (enforce(leaf.prefix, need) === 'deny' || enforce(leaf.exact, need) === 'deny') return 'deny';
    }
    return root;
  }
}
