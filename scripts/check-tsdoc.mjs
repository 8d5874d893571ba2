// Lists exported declarations in src/ that have no TSDoc comment (used before releases; exits 1 if any).
import ts from 'typescript';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, out = []) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
const root = process.argv[2] ?? 'src';
const missing = [];
for (const file of walk(root)) {
  const sf = ts.createSourceFile(file, ts.sys.readFile(file), ts.ScriptTarget.Latest, true);
  const hasDoc = (node) => ts.getJSDocCommentsAndTags(node).length > 0;
  const isExported = (node) => (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;
  const visit = (node, inClass) => {
    if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isVariableStatement(node)) {
      if (isExported(node) && !hasDoc(node)) {
        // Overload signatures: a doc on any signature counts.
        if (ts.isFunctionDeclaration(node) && node.name) {
          const sibs = sf.statements.filter((s) => ts.isFunctionDeclaration(s) && s.name?.text === node.name.text);
          if (sibs.some(hasDoc)) return;
        }
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
        const name = node.name?.text ?? node.declarationList?.declarations?.[0]?.name?.getText() ?? '?';
        missing.push(`${file}:${line + 1} ${name}`);
      }
    }
    if (ts.isClassDeclaration(node) && isExported(node)) {
      for (const m of node.members) {
        const priv = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword);
        const isOverride = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.OverrideKeyword);
        if (priv || isOverride || ts.isConstructorDeclaration(m) || !m.name) continue;
        if (m.name.getText().startsWith('#') || m.name.getText().startsWith('_')) continue;
        if ((ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m) || ts.isGetAccessor(m)) && !hasDoc(m)) {
          // Overloaded methods: a doc on any signature counts, and the set is reported once.
          if (ts.isMethodDeclaration(m)) {
            const sibs = node.members.filter((x) => ts.isMethodDeclaration(x) && x.name?.getText() === m.name.getText());
            if (sibs.some(hasDoc) || sibs[0] !== m) continue;
          }
          const { line } = sf.getLineAndCharacterOfPosition(m.getStart());
          missing.push(`${file}:${line + 1} ${node.name?.text}.${m.name.getText()}`);
        }
      }
    }
  };
  sf.statements.forEach((s) => visit(s));
}
console.log(missing.join('\n'));
console.log(`${missing.length} exported declarations without TSDoc`);
process.exit(missing.length ? 1 : 0);
