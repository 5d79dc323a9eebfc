/**
 * The walk over a cell's syntax tree: binds, reads, mutations, calls and
 * files, each sent to the scope it happens in (see `scope.ts`), and from
 * there to the cell's effects or to those of the function it is in.
 *
 * Recursion is bounded: past MAX_DEPTH nested nodes the rest of a subtree
 * is scanned flat (every name in it a read), so a pathological cell
 * (thousands of nested brackets) costs precision, never the stack.
 */
import type { NameWriteKind } from '../cell-analysis.js';
import { PYTHON_BUILTINS } from './builtins.js';
import { CellEffects } from './cell-effects.js';
import { FunctionEffectsBuilder } from './effects.js';
import {
  filesOfFunctionCall,
  filesOfMethodCall,
  filesOfPathMethodCall,
  type ICallArguments
} from './files.js';
import type { IOffsetRange } from './ipython.js';
import {
  methodCallMutation,
  methodMutatedArgumentPositions,
  mutatedArgumentPositions
} from './library-methods.js';
import {
  argumentParts,
  comprehensionParts,
  importParts,
  parameters,
  type IArgumentParts
} from './node-shapes.js';
import { baseName, isBoundAnywhere, moduleOf, qualifiedName } from './names.js';
import { PathConstants } from './path-constants.js';
import { resolveUnit } from './deferred-uses.js';
import { Scope, Unit } from './scope.js';
import { childrenOf, type SyntaxNode } from './syntax-tree.js';

/**
 * Nesting depth past which subtrees are scanned flat. Real code stays
 * under 100; at 200 the walk fits in a quarter of Node's default stack,
 * where lezer's own (recursive) tree building gives out first.
 */
const MAX_DEPTH = 200;

type BindKind = Exclude<NameWriteKind, 'mutated'>;

/** A string or `pathlib.Path` the analysis knows the value of. */
/** The parts of a `def` or `class` node. */
interface IDefinitionHead {
  readonly node: SyntaxNode;
  readonly kids: readonly SyntaxNode[];
  readonly nameNode?: SyntaxNode;
  readonly name: string;
  readonly body?: SyntaxNode;
}

function intersect(sets: readonly Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...first].filter(name => rest.every(set => set.has(name))));
}

export class CellWalker {
  readonly module = new Scope('module', undefined, undefined);
  readonly cell = new CellEffects(this.module);
  /** Set when the cell holds a Python 2 `print x` statement (lezer accepts it, Python 3 does not). */
  python2PrintAt: number | undefined;
  private depth = 0;
  /** A node's source text (an arrow: it is handed to helpers as a function). */
  private readonly text = (node: SyntaxNode): string =>
    this.source.slice(node.from, node.to);
  /** Module globals bound to a known string or path, for `p = 'x.csv'; open(p)`. */
  private readonly constants = new PathConstants(this.text);

  constructor(
    private readonly source: string,
    private readonly ownScopes: readonly IOffsetRange[]
  ) {}

  walk(script: SyntaxNode): void {
    this.statements(childrenOf(script), this.module);
  }

  /** Module globals bound to a known string or path at the end of the cell. */
  pathConstants(): { name: string; value: string }[] {
    return this.constants
      .entries()
      .map(([name, constant]) => ({ name, value: constant.value }));
  }

  // ---- uses -------------------------------------------------------------

  private read(name: string, scope: Scope, at: number): void {
    if (!scope.flow) {
      scope.unit?.uses.push({ kind: 'read', name, scope, at });
    } else if (!this.isClassAttribute(name, scope)) {
      this.cell.read(name, at);
    }
  }

  private mutate(
    name: string,
    scope: Scope,
    certain: boolean,
    at: number
  ): void {
    if (!scope.flow) {
      scope.unit?.uses.push({
        kind: 'mutate',
        name,
        scope,
        at,
        certain,
        rebound: scope.definite.has(name)
      });
    } else if (!this.isClassAttribute(name, scope)) {
      this.cell.mutate(name, certain, at);
    }
  }

  private isClassAttribute(name: string, scope: Scope): boolean {
    return (
      scope.kind === 'class' &&
      scope.locals.has(name) &&
      !scope.declaredGlobal.has(name)
    );
  }

  /** Binds a name in `scope` (or where `global`/`nonlocal` send it). */
  private bind(
    name: string,
    scope: Scope,
    kind: BindKind,
    at: number,
    imported?: string
  ): void {
    if (scope.declaredNonlocal.has(name)) {
      return;
    }
    if (scope.kind !== 'module' && scope.declaredGlobal.has(name)) {
      const owner = scope.unit?.owner;
      if (owner) {
        owner.write(name, kind, at);
      } else {
        this.cell.write(name, kind, at);
      }
      return;
    }
    scope.locals.add(name);
    if (kind === 'deleted') {
      scope.definite.delete(name);
    } else {
      scope.definite.add(name);
    }
    if (imported !== undefined) {
      scope.imports.set(name, imported);
    } else {
      scope.imports.delete(name);
    }
    if (scope.kind === 'module') {
      this.cell.write(name, kind, at);
      this.constants.forget(name);
      this.cell.forgetFunction(name);
    }
  }

  /** The Unit for a new deferred scope inside `scope`: a new one under flow code, the enclosing one otherwise. */
  private unitFor(scope: Scope, owner?: FunctionEffectsBuilder): Unit {
    if (owner) {
      return new Unit(owner);
    }
    // Deferred code nested in deferred code belongs to the outer Unit.
    return scope.unit ?? new Unit(undefined);
  }

  // ---- statements ---------------------------------------------------------

  private statements(nodes: readonly SyntaxNode[], scope: Scope): void {
    for (let i = 0; i < nodes.length; i++) {
      const range = scope.flow
        ? this.ownScopes.find(
            r => nodes[i].from >= r.from && nodes[i].from < r.to
          )
        : undefined;
      if (!range) {
        this.visit(nodes[i], scope);
        continue;
      }
      const group = [nodes[i]];
      while (i + 1 < nodes.length && nodes[i + 1].from < range.to) {
        group.push(nodes[++i]);
      }
      this.inOwnScope(group, scope);
    }
  }

  /** `%timeit stmt`: runs now, in a function scope of its own. */
  private inOwnScope(nodes: readonly SyntaxNode[], scope: Scope): void {
    const unit = new Unit(undefined);
    const own = new Scope('function', scope, unit);
    this.statements(nodes, own);
    resolveUnit(unit, this.cell);
  }

  /** Every node: statements and expressions share one dispatch. */
  private visit(node: SyntaxNode, scope: Scope): void {
    this.guarded(node, scope, () => this.dispatch(node, scope));
  }

  private dispatch(node: SyntaxNode, scope: Scope): void {
    switch (node.name) {
      case 'VariableName':
        this.read(this.text(node), scope, node.from);
        return;
      case 'CallExpression':
        this.call(node, scope, false);
        return;
      case 'ExpressionStatement': {
        const kids = childrenOf(node);
        if (kids.length === 1 && kids[0].name === 'CallExpression') {
          this.call(kids[0], scope, true);
        } else {
          kids.forEach(kid => this.visit(kid, scope));
        }
        return;
      }
      case 'LambdaExpression':
        this.lambda(node, scope, []);
        return;
      case 'ArrayComprehensionExpression':
      case 'ComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'DictionaryComprehensionExpression':
        this.comprehension(node, scope);
        return;
      case 'NamedExpression':
        this.walrus(node, scope);
        return;
      case 'AssignStatement':
        this.assignment(node, scope);
        return;
      case 'UpdateStatement':
        this.augmentedAssignment(node, scope);
        return;
      case 'DeleteStatement':
        childrenOf(node)
          .slice(1)
          .forEach(target => this.target(target, scope, 'deleted'));
        return;
      case 'ImportStatement':
        this.importStatement(node, scope);
        return;
      case 'ScopeStatement':
        this.scopeStatement(node, scope);
        return;
      case 'IfStatement':
        this.ifStatement(node, scope);
        return;
      case 'WhileStatement':
        this.whileStatement(node, scope);
        return;
      case 'ForStatement':
        this.forStatement(node, scope);
        return;
      case 'TryStatement':
        this.tryStatement(node, scope);
        return;
      case 'WithStatement':
        this.withStatement(node, scope);
        return;
      case 'MatchStatement':
        this.matchStatement(node, scope);
        return;
      case 'FunctionDefinition':
        this.definition(node, scope, []);
        return;
      case 'ClassDefinition':
        this.definition(node, scope, []);
        return;
      case 'DecoratedStatement':
        this.decorated(node, scope);
        return;
      case 'TypeDefinition':
        this.typeDefinition(node, scope);
        return;
      case 'Body':
      case 'StatementGroup':
        this.statements(childrenOf(node), scope);
        return;
      case 'PrintStatement':
        this.python2PrintAt ??= node.from;
        childrenOf(node).forEach(kid => this.visit(kid, scope));
        return;
      case 'TypeParamList':
      case 'PropertyName':
      case 'String':
      case 'Number':
        return;
      default:
        childrenOf(node).forEach(kid => this.visit(kid, scope));
    }
  }

  /** Past the depth limit: every name in the subtree is a read, found without recursion. */
  private scanFlat(node: SyntaxNode, scope: Scope): void {
    const stack = [node];
    for (let next = stack.pop(); next; next = stack.pop()) {
      if (next.name === 'VariableName') {
        this.read(this.text(next), scope, next.from);
      }
      for (let kid = next.lastChild; kid; kid = kid.prevSibling) {
        stack.push(kid);
      }
    }
  }

  /** Runs a recursive step under the depth limit, or scans the node flat past it. */
  private guarded(node: SyntaxNode, scope: Scope, step: () => void): void {
    if (this.depth >= MAX_DEPTH) {
      this.scanFlat(node, scope);
      return;
    }
    this.depth++;
    try {
      step();
    } finally {
      this.depth--;
    }
  }

  /** Runs `walk` on a copy of the definitely-bound names; returns the copy as it ends. */
  private branch(scope: Scope, walk: () => void): Set<string> {
    const before = scope.definite;
    scope.definite = new Set(before);
    this.constants.inBranch(walk);
    const after = scope.definite;
    scope.definite = before;
    return after;
  }

  private assignment(node: SyntaxNode, scope: Scope): void {
    const kids = childrenOf(node);
    const segments: SyntaxNode[][] = [[]];
    for (const kid of kids) {
      if (kid.name === 'AssignOp') {
        segments.push([]);
      } else {
        segments[segments.length - 1].push(kid);
      }
    }
    const annotation = segments[0].find(kid => kid.name === 'TypeDef');
    if (annotation && scope.flow) {
      // Annotations of module and class variables are evaluated; of locals, not.
      this.visit(annotation, scope);
    }
    const targetSegments = segments.map(segment =>
      segment.filter(kid => kid.name !== 'TypeDef')
    );
    if (segments.length === 1) {
      // `x: int` binds nothing, but makes `x` local in a function.
      const [target] = targetSegments[0];
      if (target?.name === 'VariableName' && !scope.flow) {
        scope.locals.add(this.text(target));
      }
      return;
    }
    const value = targetSegments.pop() ?? [];
    const names = targetSegments.flatMap(segment =>
      segment.length === 1 && segment[0].name === 'VariableName'
        ? [this.text(segment[0])]
        : []
    );
    const simple = names.length === targetSegments.length;
    const atModule = scope.kind === 'module';
    const sources = atModule ? this.cell.beginCapture() : undefined;
    try {
      if (
        value.length === 1 &&
        value[0].name === 'LambdaExpression' &&
        simple &&
        atModule
      ) {
        this.lambda(value[0], scope, names);
      } else {
        value.forEach(kid => this.visit(kid, scope));
      }
    } finally {
      if (sources) {
        this.cell.endCapture();
      }
    }
    for (const segment of targetSegments) {
      segment.forEach(target => this.target(target, scope, 'assigned'));
      if (sources) {
        this.boundNames(segment).forEach(name =>
          this.assignedFrom(name, sources)
        );
      }
    }
    const constant =
      value.length === 1 ? this.constants.valueOf(value[0], scope) : undefined;
    if (atModule && simple && constant) {
      names.forEach(name => this.constants.bind(name, constant));
    }
    if (
      value.length === 1 &&
      value[0].name === 'LambdaExpression' &&
      simple &&
      atModule
    ) {
      this.pendingLambdas.forEach((builder, name) =>
        this.cell.defineFunction(name, builder)
      );
    }
    this.pendingLambdas.clear();
  }

  private readonly pendingLambdas = new Map<string, FunctionEffectsBuilder>();

  /** Records where a module global got its value; modules are no aliases (`df = pd.read_csv(…)`). */
  private assignedFrom(name: string, sources: ReadonlySet<string>): void {
    this.cell.assignment(
      name,
      new Set(
        [...sources].filter(
          source => moduleOf(source, this.module) === undefined
        )
      )
    );
  }

  /** The global names a target list binds or mutates: `a, (b, c[0])` → a, b, c. */
  private boundNames(targets: readonly SyntaxNode[]): string[] {
    const names: string[] = [];
    const stack = [...targets];
    while (stack.length > 0) {
      const node = stack.pop() as SyntaxNode;
      if (node.name === 'VariableName') {
        names.push(this.text(node));
      } else if (node.name === 'MemberExpression') {
        const base = baseName(node, false, this.text);
        if (base) {
          names.push(this.text(base));
        }
      } else if (
        [
          'TupleExpression',
          'ArrayExpression',
          'ParenthesizedExpression'
        ].includes(node.name)
      ) {
        stack.push(...childrenOf(node));
      }
    }
    return names.reverse();
  }

  /** An assignment (or `del`) target: names bind, attributes and items mutate their base. */
  private target(node: SyntaxNode, scope: Scope, kind: BindKind): void {
    this.guarded(node, scope, () => this.targetStep(node, scope, kind));
  }

  private targetStep(node: SyntaxNode, scope: Scope, kind: BindKind): void {
    switch (node.name) {
      case 'VariableName':
        this.bind(this.text(node), scope, kind, node.from);
        return;
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        childrenOf(node).forEach(kid => this.target(kid, scope, kind));
        return;
      case 'MemberExpression':
        this.memberTarget(node, scope);
        return;
      default:
        this.visit(node, scope);
    }
  }

  /** `x.a = …`, `x[i].b = …`, `del x[k]`: reads the indices and mutates (and reads) `x`. */
  private memberTarget(node: SyntaxNode, scope: Scope): void {
    let object = node;
    while (object.name === 'MemberExpression') {
      const [inner, ...rest] = childrenOf(object);
      rest.forEach(kid => this.visit(kid, scope));
      object = inner;
    }
    if (object.name === 'VariableName') {
      const name = this.text(object);
      // `pd.options.x = …`, `os.environ[k] = …`: module state, weak evidence.
      const certain = moduleOf(name, scope) === undefined;
      this.mutate(name, scope, certain, object.from);
    } else {
      this.visit(object, scope);
    }
  }

  /** `x += v` reads and rebinds `x`; `x.a += v` mutates `x`. */
  private augmentedAssignment(node: SyntaxNode, scope: Scope): void {
    const [target, , ...value] = childrenOf(node);
    value.forEach(kid => this.visit(kid, scope));
    if (target?.name === 'VariableName') {
      const name = this.text(target);
      this.read(name, scope, target.from);
      this.bind(name, scope, 'assigned', target.from);
    } else if (target) {
      this.target(target, scope, 'assigned');
    }
  }

  private walrus(node: SyntaxNode, scope: Scope): void {
    const [target, , value] = childrenOf(node);
    // `:=` binds in the nearest scope that is not a comprehension (PEP 572).
    let bindingScope = scope;
    while (bindingScope.kind === 'comprehension' && bindingScope.parent) {
      bindingScope = bindingScope.parent;
    }
    const sources =
      bindingScope.kind === 'module' ? this.cell.beginCapture() : undefined;
    try {
      if (value) {
        this.visit(value, scope);
      }
    } finally {
      if (sources) {
        this.cell.endCapture();
      }
    }
    if (target?.name === 'VariableName') {
      const name = this.text(target);
      this.bind(name, bindingScope, 'assigned', target.from);
      if (sources) {
        this.assignedFrom(name, sources);
      }
    }
  }

  private importStatement(node: SyntaxNode, scope: Scope): void {
    const parts = importParts(node, n => this.text(n));
    for (const binding of parts.bindings) {
      this.bind(
        binding.name,
        scope,
        'imported',
        binding.node.from,
        binding.qualified
      );
    }
    if (parts.starFrom !== undefined && scope.kind === 'module') {
      this.cell.wildcard({ via: 'import *', source: parts.starFrom });
    }
  }

  private scopeStatement(node: SyntaxNode, scope: Scope): void {
    const [keyword, ...names] = childrenOf(node);
    if (scope.kind === 'module') {
      return;
    }
    const declared =
      keyword?.name === 'nonlocal'
        ? scope.declaredNonlocal
        : scope.declaredGlobal;
    names
      .filter(name => name.name === 'VariableName')
      .forEach(name => declared.add(this.text(name)));
  }

  private ifStatement(node: SyntaxNode, scope: Scope): void {
    const ends: Set<string>[] = [];
    let hasElse = false;
    for (const kid of childrenOf(node)) {
      if (kid.name === 'Body') {
        ends.push(this.branch(scope, () => this.visit(kid, scope)));
      } else if (kid.name === 'else') {
        hasElse = true;
      } else if (kid.name !== 'if' && kid.name !== 'elif') {
        // A condition runs on the path where the ones before it were false.
        this.visit(kid, scope);
      }
    }
    if (!hasElse) {
      ends.push(scope.definite);
    }
    scope.definite = intersect(ends);
  }

  /** The Bodies of a loop, and what is before them. */
  private loopParts(node: SyntaxNode): {
    head: SyntaxNode[];
    body?: SyntaxNode;
    orElse?: SyntaxNode;
  } {
    const kids = childrenOf(node);
    const bodies = kids.filter(kid => kid.name === 'Body');
    const firstBody = kids.findIndex(kid => kid.name === 'Body');
    return {
      head: firstBody < 0 ? kids : kids.slice(0, firstBody),
      body: bodies[0],
      orElse: bodies[1]
    };
  }

  private whileStatement(node: SyntaxNode, scope: Scope): void {
    const { head, body, orElse } = this.loopParts(node);
    head.forEach(kid => this.visit(kid, scope));
    if (body) {
      // The body may not run at all: what it binds is not certain after it.
      this.branch(scope, () => this.visit(body, scope));
    }
    if (orElse) {
      this.visit(orElse, scope);
    }
  }

  private forStatement(node: SyntaxNode, scope: Scope): void {
    const { head, body, orElse } = this.loopParts(node);
    const inAt = head.findIndex(kid => kid.name === 'in');
    const targets = head
      .slice(0, Math.max(inAt, 0))
      .filter(kid => kid.name !== 'for' && kid.name !== 'async');
    const iterables = inAt < 0 ? head : head.slice(inAt + 1);
    const sources =
      scope.kind === 'module' ? this.cell.beginCapture() : undefined;
    try {
      iterables.forEach(kid => this.visit(kid, scope));
    } finally {
      if (sources) {
        this.cell.endCapture();
      }
    }
    this.branch(scope, () => {
      targets.forEach(target => this.target(target, scope, 'assigned'));
      if (sources) {
        this.boundNames(targets).forEach(name =>
          this.assignedFrom(name, sources)
        );
      }
      if (body) {
        this.visit(body, scope);
      }
    });
    if (orElse) {
      this.visit(orElse, scope);
    }
  }

  private tryStatement(node: SyntaxNode, scope: Scope): void {
    const kids = childrenOf(node);
    const before = scope.definite;
    const ends: Set<string>[] = [];
    let tryEnd = new Set(before);
    let finallyBody: SyntaxNode | undefined;
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i];
      if (kid.name === 'try' && kids[i + 1]?.name === 'Body') {
        const body = kids[++i];
        tryEnd = this.branch(scope, () => this.visit(body, scope));
      } else if (kid.name === 'except') {
        const clause: SyntaxNode[] = [];
        while (i + 1 < kids.length && kids[i + 1].name !== 'Body') {
          clause.push(kids[++i]);
        }
        const body = kids[++i];
        ends.push(
          this.branch(scope, () => this.exceptClause(clause, body, scope))
        );
      } else if (kid.name === 'else' && kids[i + 1]?.name === 'Body') {
        const body = kids[++i];
        scope.definite = tryEnd;
        tryEnd = this.branch(scope, () => this.visit(body, scope));
        scope.definite = before;
      } else if (kid.name === 'finally' && kids[i + 1]?.name === 'Body') {
        finallyBody = kids[++i];
      }
    }
    scope.definite = intersect([tryEnd, ...ends]);
    if (finallyBody) {
      this.visit(finallyBody, scope);
    }
  }

  /** `except E as e:` binds `e`, and Python deletes it when the handler ends. */
  private exceptClause(
    clause: readonly SyntaxNode[],
    body: SyntaxNode | undefined,
    scope: Scope
  ): void {
    const asAt = clause.findIndex(kid => kid.name === 'as' || kid.name === ',');
    const types = asAt < 0 ? clause : clause.slice(0, asAt);
    const name = asAt < 0 ? undefined : clause[asAt + 1];
    types.forEach(kid => this.visit(kid, scope));
    if (name?.name === 'VariableName') {
      this.bind(this.text(name), scope, 'assigned', name.from);
    }
    if (body) {
      this.visit(body, scope);
    }
    if (name?.name === 'VariableName') {
      this.bind(this.text(name), scope, 'deleted', body?.to ?? name.to);
    }
  }

  private withStatement(node: SyntaxNode, scope: Scope): void {
    const kids = childrenOf(node);
    let sources: Set<string> | undefined;
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i];
      if (kid.name === 'Body') {
        this.visit(kid, scope);
      } else if (kid.name === 'as' && kids[i + 1]?.name === 'VariableName') {
        const target = kids[++i];
        const name = this.text(target);
        this.bind(name, scope, 'assigned', target.from);
        if (sources && scope.kind === 'module') {
          this.assignedFrom(name, sources);
        }
      } else if (
        kid.name !== 'with' &&
        kid.name !== 'async' &&
        kid.name !== ','
      ) {
        sources =
          scope.kind === 'module' ? this.cell.beginCapture() : undefined;
        try {
          this.visit(kid, scope);
        } finally {
          if (sources) {
            this.cell.endCapture();
          }
        }
      }
    }
  }

  private matchStatement(node: SyntaxNode, scope: Scope): void {
    const ends: Set<string>[] = [];
    for (const kid of childrenOf(node)) {
      if (kid.name !== 'MatchBody') {
        this.visit(kid, scope);
        continue;
      }
      for (const clause of childrenOf(kid).filter(
        c => c.name === 'MatchClause'
      )) {
        ends.push(
          this.branch(scope, () =>
            childrenOf(clause).forEach(part =>
              part.name === 'Body' || part.name === 'Guard'
                ? this.visit(part, scope)
                : this.pattern(part, scope)
            )
          )
        );
      }
    }
    // No case may match: nothing a case binds is certain after the match.
    scope.definite = intersect([scope.definite, ...ends]);
  }

  /** A `case` pattern: captures bind, class names and value patterns read. */
  private pattern(node: SyntaxNode, scope: Scope): void {
    this.guarded(node, scope, () => this.patternStep(node, scope));
  }

  private patternStep(node: SyntaxNode, scope: Scope): void {
    const kids = childrenOf(node);
    switch (node.name) {
      case 'CapturePattern': {
        const name = kids[0] ? this.text(kids[0]) : '_';
        if (name !== '_' && kids[0]) {
          this.bind(name, scope, 'assigned', kids[0].from);
        }
        return;
      }
      case 'AsPattern': {
        const last = kids[kids.length - 1];
        kids.slice(0, -1).forEach(kid => this.pattern(kid, scope));
        if (last?.name === 'VariableName') {
          this.bind(this.text(last), scope, 'assigned', last.from);
        }
        return;
      }
      case 'KeywordPattern':
        // `Point(x=p)`: `x` names an attribute, `p` is the pattern.
        kids.slice(1).forEach(kid => this.pattern(kid, scope));
        return;
      case 'AttributePattern':
        if (kids[0]) {
          this.read(this.text(kids[0]), scope, kids[0].from);
        }
        return;
      case 'VariableName':
        this.read(this.text(node), scope, node.from);
        return;
      case 'LiteralPattern':
        return;
      default:
        kids.forEach(kid => this.pattern(kid, scope));
    }
  }

  private typeDefinition(node: SyntaxNode, scope: Scope): void {
    const kids = childrenOf(node);
    // `type Name[T] = value`: lezer keeps no node for the `=`.
    const nameAt = kids.findIndex(kid => kid.name === 'VariableName');
    const name = kids[nameAt];
    kids.slice(nameAt + 1).forEach(kid => this.visit(kid, scope));
    if (name) {
      this.bind(this.text(name), scope, 'assigned', name.from);
    }
  }

  // ---- definitions ----------------------------------------------------------

  private decorated(node: SyntaxNode, scope: Scope): void {
    const kids = childrenOf(node);
    const decorators = kids.filter(kid => kid.name === 'Decorator');
    const definition = kids.find(
      kid => kid.name === 'FunctionDefinition' || kid.name === 'ClassDefinition'
    );
    if (definition) {
      this.definition(definition, scope, decorators);
    } else {
      decorators.forEach(decorator => this.decorator(decorator, scope));
    }
  }

  /** `@a.b(args)`: reads `a` and the arguments (evaluated at definition). */
  private decorator(node: SyntaxNode, scope: Scope): void {
    for (const kid of childrenOf(node)) {
      if (kid.name === 'VariableName') {
        this.read(this.text(kid), scope, kid.from);
        break;
      }
    }
    const argList = childrenOf(node).find(kid => kid.name === 'ArgList');
    if (argList) {
      this.visitArguments(
        argumentParts(argList, n => this.text(n)),
        scope
      );
    }
  }

  /**
   * `def f(…)`: decorators, defaults and annotations are read now; the body
   * becomes the effects of `f` (at the module), of the class (a method), or
   * of the enclosing function (nested).
   */
  private functionDefinition(head: IDefinitionHead, scope: Scope): void {
    const { node, kids, nameNode, name, body } = head;
    const paramList = kids.find(kid => kid.name === 'ParamList');
    const returns = kids.find(kid => kid.name === 'TypeDef');
    const params = paramList ? parameters(paramList, n => this.text(n)) : [];
    for (const param of params) {
      [param.defaultValue, param.annotation].forEach(
        part => part && this.visit(part, scope)
      );
    }
    if (returns) {
      this.visit(returns, scope);
    }
    let owner: FunctionEffectsBuilder | undefined;
    let positions: Map<string, number> | undefined;
    if (scope.kind === 'module') {
      owner = new FunctionEffectsBuilder(name);
      owner.params = params.map(param => param.declared);
      positions = new Map(params.map((param, i) => [param.name, i]));
    } else if (scope.flow && scope.classEffects) {
      owner = scope.classEffects;
      if (name === '__init__') {
        const [, ...rest] = params;
        owner.params = rest.map(param => param.declared);
        positions = new Map(rest.map((param, i) => [param.name, i]));
      }
    }
    const unit = this.unitFor(scope, owner);
    const functionScope = new Scope('function', scope, unit, positions, node);
    params.forEach(param => functionScope.locals.add(param.name));
    if (body) {
      this.visit(body, functionScope);
    }
    if (unit !== scope.unit) {
      resolveUnit(unit, this.cell);
    }
    this.bindDefinition(nameNode, scope, owner);
  }

  /** A `def` or `class`, its decorators read first (they run before the body is made). */
  private definition(
    node: SyntaxNode,
    scope: Scope,
    decorators: readonly SyntaxNode[]
  ): void {
    decorators.forEach(decorator => this.decorator(decorator, scope));
    const kids = childrenOf(node);
    const nameNode = kids.find(kid => kid.name === 'VariableName');
    const head: IDefinitionHead = {
      node,
      kids,
      nameNode,
      name: nameNode ? this.text(nameNode) : '',
      body: kids.find(kid => kid.name === 'Body')
    };
    if (node.name === 'FunctionDefinition') {
      this.functionDefinition(head, scope);
    } else {
      this.classDefinition(head, scope);
    }
  }

  /** Binds a defined name once the definition is made; at the module, its effects come with it. */
  private bindDefinition(
    nameNode: SyntaxNode | undefined,
    scope: Scope,
    effects: FunctionEffectsBuilder | undefined
  ): void {
    if (!nameNode) {
      return;
    }
    const name = this.text(nameNode);
    this.bind(name, scope, 'defined', nameNode.from);
    if (scope.kind === 'module' && effects) {
      this.cell.defineFunction(name, effects);
    }
  }

  /**
   * `class C(B):`: decorators, bases and the body run now. Its methods'
   * bodies become the class's effects, which apply where the class is
   * used (instances call them); its parameters are `__init__`'s.
   */
  private classDefinition(head: IDefinitionHead, scope: Scope): void {
    const { node, kids, nameNode, name, body } = head;
    const argList = kids.find(kid => kid.name === 'ArgList');
    if (argList) {
      this.visitArguments(
        argumentParts(argList, n => this.text(n)),
        scope
      );
    }
    let classScope: Scope;
    let effects: FunctionEffectsBuilder | undefined;
    if (scope.flow) {
      effects =
        scope.kind === 'module'
          ? new FunctionEffectsBuilder(name)
          : scope.classEffects;
      classScope = new Scope('class', scope, undefined, undefined, node);
      classScope.classEffects = effects;
    } else {
      classScope = new Scope('class', scope, scope.unit, undefined, node);
    }
    if (body) {
      this.visit(body, classScope);
    }
    this.bindDefinition(nameNode, scope, effects);
  }

  /**
   * `lambda x: x + k`. Named at the module (`f = lambda …`, `names`), its
   * body becomes the effects of `f`; unnamed, it is assumed to run now
   * (`sorted(xs, key=lambda v: v[k])`, `df.apply(lambda r: …)`), so its
   * reads are the cell's.
   */
  private lambda(
    node: SyntaxNode,
    scope: Scope,
    names: readonly string[]
  ): void {
    const kids = childrenOf(node);
    const paramList = kids.find(kid => kid.name === 'ParamList');
    const colon = kids.findIndex(kid => kid.name === ':');
    const body = colon < 0 ? [] : kids.slice(colon + 1);
    const params = paramList ? parameters(paramList, n => this.text(n)) : [];
    params.forEach(
      param => param.defaultValue && this.visit(param.defaultValue, scope)
    );
    const owner =
      names.length > 0 ? new FunctionEffectsBuilder(names[0]) : undefined;
    const positions = owner
      ? new Map(params.map((param, i) => [param.name, i]))
      : undefined;
    if (owner) {
      owner.params = params.map(param => param.declared);
    }
    const unit = this.unitFor(scope, owner);
    const lambdaScope = new Scope('function', scope, unit, positions, node);
    params.forEach(param => lambdaScope.locals.add(param.name));
    body.forEach(kid => this.visit(kid, lambdaScope));
    if (unit !== scope.unit) {
      resolveUnit(unit, this.cell);
    }
    if (owner) {
      names.forEach((name, i) =>
        this.pendingLambdas.set(name, i === 0 ? owner : owner.renamed(name))
      );
    }
  }

  /** Comprehensions: the first iterable runs in the enclosing scope, the rest in the comprehension's. */
  private comprehension(node: SyntaxNode, scope: Scope): void {
    const { element, clauses } = comprehensionParts(node);
    const unit = this.unitFor(scope);
    const comprehensionScope = new Scope(
      'comprehension',
      scope,
      unit,
      undefined,
      node
    );
    clauses.forEach((clause, i) => {
      if (clause.kind === 'for') {
        if (clause.iterable) {
          this.visit(clause.iterable, i === 0 ? scope : comprehensionScope);
        }
        clause.targets.forEach(target =>
          this.target(target, comprehensionScope, 'assigned')
        );
      } else if (clause.condition) {
        this.visit(clause.condition, comprehensionScope);
      }
    });
    element.forEach(kid => this.visit(kid, comprehensionScope));
    if (unit !== scope.unit) {
      resolveUnit(unit, this.cell);
    }
  }

  // ---- calls -----------------------------------------------------------------

  private visitArguments(args: IArgumentParts, scope: Scope): void {
    if (args.generator) {
      this.comprehension(args.positional[0].value, scope);
      return;
    }
    for (const argument of [...args.positional, ...args.unplaced]) {
      this.visit(argument.value, scope);
      if (argument.walrusTarget) {
        let bindingScope = scope;
        while (bindingScope.kind === 'comprehension' && bindingScope.parent) {
          bindingScope = bindingScope.parent;
        }
        this.bind(
          this.text(argument.walrusTarget),
          bindingScope,
          'assigned',
          argument.walrusTarget.from
        );
      }
    }
    args.keywords.forEach(keyword => this.visit(keyword.value, scope));
  }

  /**
   * A call: its parts are read; then what it may change (its object, its
   * arguments), the files it names, and the call site of a global callee.
   * `discarded` is true for a call whose result is thrown away.
   */
  private call(node: SyntaxNode, scope: Scope, discarded: boolean): void {
    const [callee, argList] = childrenOf(node);
    if (!callee) {
      return;
    }
    const args = argList
      ? argumentParts(argList, n => this.text(n))
      : undefined;
    this.visit(callee, scope);
    if (!args) {
      return;
    }
    this.visitArguments(args, scope);
    if (args.generator) {
      this.callSite(callee, scope, [null], [], node.from);
      return;
    }
    const values: ICallArguments = {
      lookup: slot => {
        const given =
          args.positional[slot.position]?.value ??
          args.keywords.find(({ name }) => slot.keywords.includes(name))?.value;
        return given
          ? { given: true, value: this.constants.valueOf(given, scope)?.value }
          : { given: false };
      }
    };
    const qualified = qualifiedName(callee, scope, this.text);
    const file = (
      found: { path: string; mode: 'read' | 'write'; via: string }[]
    ): void => found.forEach(reference => this.fileOf(scope, reference));
    let mutatedPositions: readonly number[] = [];
    if (qualified !== undefined) {
      file(filesOfFunctionCall(qualified, values));
      mutatedPositions = mutatedArgumentPositions(qualified);
    } else if (callee.name === 'MemberExpression') {
      const [object, , property] = childrenOf(callee);
      if (property?.name === 'PropertyName' && object) {
        const method = this.text(property);
        const path = this.constants.valueOf(object, scope);
        if (path?.kind === 'path') {
          file(filesOfPathMethodCall(path.value, method, values));
        }
        file(filesOfMethodCall(method, values));
        mutatedPositions = methodMutatedArgumentPositions(method);
        this.methodMutation(object, method, args, scope, discarded);
      }
    }
    for (const position of mutatedPositions) {
      const base =
        args.positional[position] &&
        baseName(args.positional[position].value, true, this.text);
      if (base) {
        this.mutate(this.text(base), scope, true, base.from);
      }
    }
    // `np.add(a, b, out=c)` writes into `c`.
    const out = args.keywords.find(keyword => keyword.name === 'out');
    const outBase = out && baseName(out.value, false, this.text);
    if (outBase) {
      this.mutate(this.text(outBase), scope, true, outBase.from);
    }
    const baseOf = (value: SyntaxNode): string | null => {
      const base = baseName(value, true, this.text);
      return base ? this.text(base) : null;
    };
    this.callSite(
      callee,
      scope,
      args.positional.map(arg =>
        arg.walrusTarget ? this.text(arg.walrusTarget) : baseOf(arg.value)
      ),
      args.keywords.map(({ name: keyword, value }) => ({
        name: keyword,
        value: baseOf(value)
      })),
      node.from
    );
  }

  private callSite(
    callee: SyntaxNode,
    scope: Scope,
    args: readonly (string | null)[],
    keywords: readonly { name: string; value: string | null }[],
    at: number
  ): void {
    if (callee.name !== 'VariableName') {
      return;
    }
    const name = this.text(callee);
    if (PYTHON_BUILTINS.has(name) && !isBoundAnywhere(name, scope)) {
      return;
    }
    if (!scope.flow) {
      scope.unit?.uses.push({
        kind: 'call',
        callee: name,
        scope,
        at,
        args,
        keywords
      });
      return;
    }
    if (this.isClassAttribute(name, scope)) {
      return;
    }
    const global = (value: string | null): string | null =>
      value !== null && !this.isClassAttribute(value, scope) ? value : null;
    this.cell.call(
      {
        callee: name,
        args: args.map(global),
        keywords: keywords.flatMap(({ name: keyword, value }) => {
          const passed = global(value);
          return passed === null ? [] : [{ name: keyword, value: passed }];
        })
      },
      at
    );
  }

  /** `x.append(v)`, `model.to(dev)`, `df.dropna(inplace=True)`: whether the object's base changes. */
  private methodMutation(
    object: SyntaxNode,
    method: string,
    args: IArgumentParts,
    scope: Scope,
    discarded: boolean
  ): void {
    const base = baseName(object, false, this.text);
    if (!base || moduleOf(this.text(base), scope) !== undefined) {
      return;
    }
    const inplace = args.keywords.some(
      keyword =>
        keyword.name === 'inplace' && this.text(keyword.value) !== 'False'
    );
    const evidence = methodCallMutation(method, discarded, inplace);
    if (evidence !== 'none') {
      this.mutate(this.text(base), scope, evidence === 'certain', base.from);
    }
  }

  private fileOf(
    scope: Scope,
    reference: { path: string; mode: 'read' | 'write'; via: string }
  ): void {
    const owner = scope.flow ? undefined : scope.unit?.owner;
    if (owner) {
      owner.file(reference);
    } else {
      this.cell.file(reference);
    }
  }
}
