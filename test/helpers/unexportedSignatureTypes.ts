import path from 'node:path';
import ts from 'typescript';

/** A type that an export of the entry point names in its signature, but that the entry point does not export. */
export interface UnexportedType {
  /** The type's name, e.g. `LoadModelResult`. */
  name: string;
  /** Where it is declared, relative to `root`, e.g. `src/model/modelFiles.ts`. */
  file: string;
  /** The export whose signature (directly, or through other types) names it. */
  usedBy: string;
}

/**
 * The types declared under `root/src/` that the public signatures of `entry` name (parameters, return types,
 * properties, type arguments; followed through every type they name in turn) but that `entry` does not export: a
 * user can receive such a value but cannot name its type. Reads the source annotations only: a function whose return
 * type is inferred contributes its parameters alone.
 */
export function unexportedSignatureTypes(root: string, entry: string): UnexportedType[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`unexportedSignatureTypes: cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`unexportedSignatureTypes: ${entry} is not a module`);
  const srcDir = path.join(root, 'src') + path.sep;
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

  const exported = new Set(checker.getExportsOfModule(moduleSymbol).map(resolve));
  const missing = new Map<ts.Symbol, UnexportedType>();
  const visited = new Set<ts.Node>();

  const visit = (node: ts.Node, usedBy: string): void => {
    if (visited.has(node)) return;
    visited.add(node);
    // Function bodies and initialisers are not part of a signature.
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.body) {
      for (const child of [...(node.typeParameters ?? []), ...node.parameters, ...(node.type ? [node.type] : [])]) visit(child, usedBy);
      return;
    }
    if (ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) {
      if (ts.isPropertyDeclaration(node) && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
      if (node.type) visit(node.type, usedBy);
      return;
    }
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isTypeQueryNode(node) ? node.exprName : node.expression;
      const symbol = checker.getSymbolAtLocation(name);
      if (symbol) follow(resolve(symbol), usedBy);
    }
    ts.forEachChild(node, (child) => visit(child, usedBy));
  };

  const follow = (symbol: ts.Symbol, usedBy: string): void => {
    for (const declaration of symbol.declarations ?? []) {
      const file = declaration.getSourceFile().fileName;
      if (!path.resolve(file).startsWith(srcDir)) continue;
      if (!exported.has(symbol) && !missing.has(symbol) && !ts.isTypeParameterDeclaration(declaration)) {
        missing.set(symbol, { name: symbol.getName(), file: path.relative(root, file), usedBy });
      }
      visit(declaration, usedBy);
    }
  };

  for (const symbol of exported) {
    for (const declaration of symbol.declarations ?? []) visit(declaration, symbol.getName());
  }
  return [...missing.values()].sort((a, b) => a.name.localeCompare(b.name));
}
