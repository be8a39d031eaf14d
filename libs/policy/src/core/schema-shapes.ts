import type { CedarType, CedarValueJson, SchemaJson } from './cedar';

/** A schema type with common types and `EntityOrCommon` references resolved. */
export type ResolvedType =
  | { kind: 'String' | 'Long' | 'Boolean' }
  | { kind: 'Set'; element: ResolvedType }
  | { kind: 'Record'; attributes: ResolvedAttribute[] }
  | { kind: 'Entity'; name: string }
  | { kind: 'Extension'; name: string };

export interface ResolvedAttribute {
  name: string;
  type: ResolvedType;
  required: boolean;
}

export interface EntityShape {
  attributes: ResolvedAttribute[];
  memberOfTypes: string[];
}

/** Raised while turning a request into Cedar values; the engine answers it with a deny. */
export class RequestMappingError extends Error {}

const PRIMITIVES: Record<string, 'String' | 'Long' | 'Boolean'> = { String: 'String', Long: 'Long', Bool: 'Boolean', Boolean: 'Boolean' };
const EXTENSIONS = new Set(['ipaddr', 'decimal', 'datetime', 'duration']);
const EXTENSION_CONSTRUCTOR: Record<string, string> = { ipaddr: 'ip', decimal: 'decimal', datetime: 'datetime', duration: 'duration' };

type Namespace = SchemaJson<string>[string];

interface SchemaNode {
  type: string;
  element?: CedarType<string>;
  attributes?: Record<string, CedarType<string> & { required?: boolean }>;
  name?: string;
}

/**
 * The entity shapes and action contexts of a bundle's schema, resolved once per bundle, so that a request's plain
 * objects can be turned into Cedar entities: declared attributes are converted (and required ones demanded), any
 * other field is dropped, because a bundle can only refer to what its schema declares.
 */
export class SchemaShapes {
  readonly entities = new Map<string, EntityShape>();
  readonly actionContexts = new Map<string, ResolvedAttribute[]>();
  private readonly actionParents = new Map<string, string[]>();

  constructor(private readonly namespace: Namespace) {
    for (const [name, definition] of Object.entries(namespace.entityTypes)) {
      const shape = 'shape' in definition && definition.shape ? this.resolve(definition.shape, name) : undefined;
      this.entities.set(name, {
        attributes: shape?.kind === 'Record' ? shape.attributes : [],
        memberOfTypes: 'memberOfTypes' in definition ? (definition.memberOfTypes ?? []) : [],
      });
    }
    for (const [name, action] of Object.entries(namespace.actions)) {
      const context = action.appliesTo?.context ? this.resolve(action.appliesTo.context, `action ${name}`) : undefined;
      this.actionContexts.set(name, context?.kind === 'Record' ? context.attributes : []);
      this.actionParents.set(name, (action.memberOf ?? []).map((parent) => parent.id));
    }
  }

  /** The action groups `action` belongs to, directly or through other groups. */
  actionAncestors(action: string): ReadonlySet<string> {
    const found = new Set<string>();
    const pending = [...(this.actionParents.get(action) ?? [])];
    while (pending.length > 0) {
      const parent = pending.pop() as string;
      if (found.has(parent)) continue;
      found.add(parent);
      pending.push(...(this.actionParents.get(parent) ?? []));
    }
    return found;
  }

  /** Converts `value` to the Cedar JSON value of `type`; `path` names the field in errors. */
  convert(type: ResolvedType, value: unknown, path: string): CedarValueJson {
    switch (type.kind) {
      case 'String':
        if (typeof value !== 'string') throw new RequestMappingError(`${path}: expected a string`);
        return value;
      case 'Long':
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new RequestMappingError(`${path}: expected a whole number`);
        return value;
      case 'Boolean':
        if (typeof value !== 'boolean') throw new RequestMappingError(`${path}: expected true or false`);
        return value;
      case 'Set':
        if (!Array.isArray(value)) throw new RequestMappingError(`${path}: expected a list`);
        return value.map((item: unknown, index) => this.convert(type.element, item, `${path}[${index}]`));
      case 'Record':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RequestMappingError(`${path}: expected an object`);
        return this.convertRecord(type.attributes, value as Record<string, unknown>, path);
      case 'Entity':
        if (typeof value !== 'string') throw new RequestMappingError(`${path}: expected the id of a ${type.name}`);
        return { __entity: { type: type.name, id: value } };
      case 'Extension':
        if (typeof value !== 'string') throw new RequestMappingError(`${path}: expected a ${type.name} as a string`);
        return { __extn: { fn: EXTENSION_CONSTRUCTOR[type.name] ?? type.name, arg: value } };
    }
  }

  /** Converts the declared attributes of `source`; missing required attributes are errors, undeclared ones dropped. */
  convertRecord(attributes: readonly ResolvedAttribute[], source: Record<string, unknown>, path: string): Record<string, CedarValueJson> {
    const record: Record<string, CedarValueJson> = {};
    for (const attribute of attributes) {
      const value = source[attribute.name];
      if (value === undefined || value === null) {
        if (attribute.required) throw new RequestMappingError(`${path}.${attribute.name}: required by the policy schema`);
        continue;
      }
      record[attribute.name] = this.convert(attribute.type, value, `${path}.${attribute.name}`);
    }
    return record;
  }

  private resolve(type: CedarType<string>, where: string, seen: ReadonlySet<string> = new Set()): ResolvedType {
    // cedar-wasm types a schema node as a union with `{ type: string }` (common-type references), which defeats
    // narrowing on `type`: read the node through one loose view instead.
    const node = type as SchemaNode;
    switch (node.type) {
      case 'String':
      case 'Long':
      case 'Boolean':
        return { kind: node.type };
      case 'Set':
        if (!node.element) throw new RequestMappingError(`${where}: Set without an element type`);
        return { kind: 'Set', element: this.resolve(node.element, where, seen) };
      case 'Record':
        return {
          kind: 'Record',
          attributes: Object.entries(node.attributes ?? {}).map(([name, attribute]) => ({
            name,
            type: this.resolve(attribute, `${where}.${name}`, seen),
            required: attribute.required !== false,
          })),
        };
      case 'Entity':
        return { kind: 'Entity', name: node.name ?? '' };
      case 'Extension':
        return { kind: 'Extension', name: node.name ?? '' };
      case 'EntityOrCommon':
        return this.resolveName(node.name ?? '', where, seen);
      default:
        // `{ type: "SomeCommonType" }`: a reference to a common type.
        return this.resolveName(node.type, where, seen);
    }
  }

  private resolveName(qualified: string, where: string, seen: ReadonlySet<string>): ResolvedType {
    const name = qualified.replace(/^__cedar::/, '');
    const common = this.namespace.commonTypes?.[name];
    if (common && !qualified.startsWith('__cedar::')) {
      if (seen.has(name)) throw new RequestMappingError(`${where}: common type ${name} refers to itself`);
      return this.resolve(common, where, new Set([...seen, name]));
    }
    if (this.namespace.entityTypes[name]) return { kind: 'Entity', name };
    const primitive = PRIMITIVES[name];
    if (primitive) return { kind: primitive };
    if (EXTENSIONS.has(name)) return { kind: 'Extension', name };
    throw new RequestMappingError(`${where}: unknown type ${qualified}`);
  }
}
