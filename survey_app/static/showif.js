/* show_if evaluation for the browser, mirroring survey_app/questionnaire/expressions.py:
   shared by the resident form (respond.js) and paper entry (entry.js). */
window.ShowIf = (function () {
  "use strict";
  function num(v) {
    if (typeof v === "number") return v;
    return typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? parseFloat(v) : null;
  }
  function equal(a, b) {
    if (typeof a === "string" && typeof b === "string") return a === b;
    var x = num(a), y = num(b);
    return x !== null && y !== null && x === y;
  }
  function contains(a, b) {
    if (!Array.isArray(b)) return false;
    var items = Array.isArray(a) ? a : [a];
    return items.some(function (i) { return b.some(function (c) { return equal(i, c); }); });
  }
  var CMP = {
    "==": equal, "!=": function (a, b) { return !equal(a, b); }, "in": contains,
    "not in": function (a, b) { return !contains(a, b); },
    "<": function (a, b) { return num(a) !== null && num(b) !== null && num(a) < num(b); },
    "<=": function (a, b) { return num(a) !== null && num(b) !== null && num(a) <= num(b); },
    ">": function (a, b) { return num(a) !== null && num(b) !== null && num(a) > num(b); },
    ">=": function (a, b) { return num(a) !== null && num(b) !== null && num(a) >= num(b); }
  };
  function operand(node, answers) { return "name" in node ? answers[node.name] : node.value; }
  function evaluate(node, answers) {
    if (node.op === "and") return node.args.every(function (n) { return evaluate(n, answers); });
    if (node.op === "or") return node.args.some(function (n) { return evaluate(n, answers); });
    if (node.op === "not") return !evaluate(node.args[0], answers);
    var a = operand(node.left, answers), b = operand(node.right, answers);
    if (a === null || a === undefined || b === null || b === undefined) return node.op === "!=" || node.op === "not in";
    return CMP[node.op](a, b);
  }
  return { evaluate: evaluate };
})();
