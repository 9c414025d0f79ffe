/**
 * The package's Apex read with a maintained parser (@apexdevtools/apex-parser): syntax errors
 * collected from lexer and parser, class constants, and the request the Apex builds, evaluated
 * from its parse tree, so tests send exactly what the class would.
 */
import {
  ApexErrorListener,
  ApexParserBaseListener,
  ApexParserFactory,
  ApexParseTreeWalker,
  FieldDeclarationContext,
  IdPrimaryContext,
  LiteralPrimaryContext,
  MethodCallContext,
  MethodCallExpressionContext,
  MethodDeclarationContext,
  NewExpressionContext,
  PrimaryExpressionContext,
  ReturnStatementContext,
  type CompilationUnitContext,
  type ExpressionContext,
} from '@apexdevtools/apex-parser';

export interface ParsedApex {
  unit: CompilationUnitContext;
  /** "line:column message" for every syntax error the lexer or parser reported. */
  errors: string[];
}

class Collect extends ApexErrorListener {
  readonly errors: string[] = [];
  apexSyntaxError(line: number, column: number, msg: string): void {
    this.errors.push(`${line}:${column} ${msg}`);
  }
}

export function parseApex(source: string): ParsedApex {
  const listener = new Collect();
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  const unit = parser.compilationUnit();
  return { unit, errors: listener.errors };
}

/** Every node of one kind under `root`, in source order. */
function all<T>(root: ExpressionContext | CompilationUnitContext | MethodDeclarationContext, kind: abstract new (...args: never[]) => T): T[] {
  const found: T[] = [];
  const walker = new (class extends ApexParserBaseListener {
    override enterEveryRule(ctx: unknown): void {
      if (ctx instanceof kind) found.push(ctx);
    }
  })();
  ApexParseTreeWalker.DEFAULT.walk(walker, root);
  return found;
}

/** An Apex string literal's value ('it\'s' → it's). */
function stringValue(text: string): string | undefined {
  const m = /^'((?:[^'\\]|\\.)*)'$/s.exec(text);
  return m ? m[1]!.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c) : undefined;
}

/** The class's String fields initialised with a literal (its constants), by name. */
export function constants(unit: CompilationUnitContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of all(unit, FieldDeclarationContext)) {
    for (const v of field.variableDeclarators().variableDeclarator_list()) {
      const value = v.expression() ? stringValue(v.expression().getText()) : undefined;
      if (value !== undefined) out[v.id().getText()] = value;
    }
  }
  return out;
}

export function method(unit: CompilationUnitContext, name: string): MethodDeclarationContext {
  const found = all(unit, MethodDeclarationContext).find((m) => m.id().getText() === name);
  if (!found) throw new Error(`no method ${name}`);
  return found;
}

/** The names of the methods annotated with `annotation` (e.g. AuraEnabled). */
export function annotatedMethods(unit: CompilationUnitContext, annotation: string): string[] {
  return all(unit, MethodDeclarationContext)
    .filter((m) => {
      // Annotations are modifiers of the member declaration around the method.
      const member = m.parentCtx?.parentCtx;
      return member?.getText().toLowerCase().startsWith(`@${annotation.toLowerCase()}`) ?? false;
    })
    .map((m) => m.id().getText());
}

export type Scope = Record<string, unknown>;

/**
 * The value of an expression made of what a request body is built from: string literals,
 * names (the method's parameters, the class constants), Map literals, and the class's
 * withoutBlanks(…). Anything else is refused, so a change to how the Apex builds its request
 * fails the test instead of being guessed at.
 */
export function evaluate(expr: ExpressionContext, scope: Scope): unknown {
  if (expr instanceof PrimaryExpressionContext) {
    const primary = expr.primary();
    if (primary instanceof LiteralPrimaryContext) {
      const value = stringValue(primary.getText());
      if (value === undefined) throw new Error(`not a string literal: ${primary.getText()}`);
      return value;
    }
    if (primary instanceof IdPrimaryContext) {
      const name = primary.id().getText();
      if (!(name in scope)) throw new Error(`unknown name in the request: ${name}`);
      return scope[name];
    }
  }
  if (expr instanceof NewExpressionContext) {
    const map = expr.creator().mapCreatorRest();
    if (!map) throw new Error(`not a Map literal: ${expr.getText()}`);
    const out: Record<string, unknown> = {};
    for (const pair of map.mapCreatorRestPair_list()) {
      const key = evaluate(pair.expression(0), scope);
      if (typeof key !== 'string') throw new Error(`not a string key: ${pair.expression(0).getText()}`);
      out[key] = evaluate(pair.expression(1), scope);
    }
    return out;
  }
  if (expr instanceof MethodCallExpressionContext && expr.methodCall().id()?.getText() === 'withoutBlanks') {
    const values = evaluate(expr.methodCall().expressionList().expression(0), scope) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined && !(typeof v === 'string' && !v.trim())));
  }
  throw new Error(`cannot evaluate ${expr.getText()}`);
}

/** What a method returns, evaluated with its parameters bound. */
export function returned(unit: CompilationUnitContext, name: string, args: Scope): unknown {
  const m = method(unit, name);
  const params =
    m
      .formalParameters()
      .formalParameterList()
      ?.formalParameter_list()
      .map((p) => p.id().getText()) ?? [];
  for (const p of params) if (!(p in args)) throw new Error(`${name}(${params.join(', ')}): no value for ${p}`);
  const [ret] = all(m, ReturnStatementContext);
  if (!ret) throw new Error(`${name} returns nothing`);
  return evaluate(ret.expression(), { ...constants(unit), ...args });
}

/** The arguments of the calls to `callee` inside method `name`, as source text. */
export function callsIn(unit: CompilationUnitContext, name: string, callee: string): ExpressionContext[][] {
  return all(method(unit, name), MethodCallContext)
    .filter((c) => c.id()?.getText() === callee)
    .map((c) => c.expressionList()?.expression_list() ?? []);
}
