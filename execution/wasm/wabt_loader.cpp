// Module loading (C++17, wabt): parse, validate, check the deterministic subset and the limits,
// then rewrite the module with gas metering. docs/spec/wasm-host.md describes the rules.
#include "wabt_bridge.hpp"
#include "wabt_internal.hpp"

#include <limits>
#include <memory>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/error.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/validator.h>

namespace l2::execution::wasm::bridge {
namespace {

using wabt::cast;
using wabt::ExprType;
using wabt::Type;

LoadResult fail(LoadStatus status, std::string message)
{
    LoadResult r;
    r.status = status;
    r.message = std::move(message);
    return r;
}

std::string first_error(const wabt::Errors& errors, const char* fallback)
{
    for (const auto& e : errors)
        if (!e.message.empty())
            return e.message;
    return fallback;
}

bool is_float(Type t)
{
    return t == Type::F32 || t == Type::F64 || t == Type::V128;
}

bool has_float(const wabt::TypeVector& types)
{
    for (const Type t : types)
        if (is_float(t))
            return true;
    return false;
}

bool has_float(const wabt::FuncSignature& sig)
{
    return has_float(sig.param_types) || has_float(sig.result_types);
}

bool uses_float(wabt::Opcode op)
{
    return is_float(op.GetResultType()) || is_float(op.GetParamType1()) ||
           is_float(op.GetParamType2()) || is_float(op.GetParamType3());
}

/// The opcode of an expression that carries one (arithmetic, conversions, loads, stores).
bool opcode_of(const wabt::Expr& e, wabt::Opcode& op)
{
    switch (e.type())
    {
        case ExprType::Binary:
            op = cast<wabt::BinaryExpr>(&e)->opcode;
            return true;
        case ExprType::Compare:
            op = cast<wabt::CompareExpr>(&e)->opcode;
            return true;
        case ExprType::Convert:
            op = cast<wabt::ConvertExpr>(&e)->opcode;
            return true;
        case ExprType::Unary:
            op = cast<wabt::UnaryExpr>(&e)->opcode;
            return true;
        case ExprType::Ternary:
            op = cast<wabt::TernaryExpr>(&e)->opcode;
            return true;
        case ExprType::Load:
            op = cast<wabt::LoadExpr>(&e)->opcode;
            return true;
        case ExprType::Store:
            op = cast<wabt::StoreExpr>(&e)->opcode;
            return true;
        default:
            return false;
    }
}

/// The name of the first float instruction or float-typed block in `exprs`, or nullptr.
const char* find_float(const wabt::ExprList& exprs)
{
    for (const wabt::Expr& e : exprs)
    {
        wabt::Opcode op;
        if (opcode_of(e, op) && uses_float(op))
            return op.GetName();
        switch (e.type())
        {
            case ExprType::Const:
                if (is_float(cast<wabt::ConstExpr>(&e)->const_.type()))
                    return "float constant";
                break;
            case ExprType::Select:
                if (has_float(cast<wabt::SelectExpr>(&e)->result_type))
                    return "select of floats";
                break;
            case ExprType::Block:
            case ExprType::Loop: {
                const auto& block = e.type() == ExprType::Block ? cast<wabt::BlockExpr>(&e)->block
                                                                : cast<wabt::LoopExpr>(&e)->block;
                if (has_float(block.decl.sig))
                    return "float block type";
                if (const char* f = find_float(block.exprs))
                    return f;
                break;
            }
            case ExprType::If: {
                const auto* ife = cast<wabt::IfExpr>(&e);
                if (has_float(ife->true_.decl.sig))
                    return "float block type";
                if (const char* f = find_float(ife->true_.exprs))
                    return f;
                if (const char* f = find_float(ife->false_))
                    return f;
                break;
            }
            default:
                break;
        }
    }
    return nullptr;
}

// ---- metering ----
//
// Each function body is cut into straight-line segments; a segment ends after a block, loop, if,
// br, br_if, br_table, return or unreachable (every point control can enter or leave). At the
// start of each segment the rewrite inserts a charge of the segment's instruction count n:
//
//     global.get $gas  i64.const n  global.get $cost  i64.mul  i64.sub
//     global.get $segment  i64.sub  global.set $gas                  ;; gas -= n x cost + segment
//     global.get $gas  i64.const 0  i64.lt_s
//     if  i64.const -1  global.set $gas  unreachable  end             ;; out of gas: mark and trap
//
// ($cost, the gas per instruction, and $segment, the gas per segment entered, are set by the
// runner from the gas schedule; the runner keeps the gas limit below 2^63 and both costs below
// 2^32, so the difference is negative exactly when the charge exceeds the gas left.) A run that
// does not trap is charged exactly n x cost + segment for every segment it entered (block, loop
// and if count one instruction each; end and else count nothing), independent of how an
// interpreter lowers them. The segment cost prices the charge's own work: 12 instructions the
// interpreter executes per segment, whatever n is.

bool ends_segment(ExprType t)
{
    switch (t)
    {
        case ExprType::Block:
        case ExprType::Loop:
        case ExprType::If:
        case ExprType::Br:
        case ExprType::BrIf:
        case ExprType::BrTable:
        case ExprType::Return:
        case ExprType::Unreachable:
            return true;
        default:
            return false;
    }
}

wabt::Var var(wabt::Index i)
{
    return wabt::Var(i, wabt::Location());
}

struct Counters
{
    wabt::Index segment;
    wabt::Index cost;
    wabt::Index gas;
};

void insert_charge(wabt::ExprList& exprs, wabt::ExprList::iterator at, uint64_t n, Counters g)
{
    const wabt::Index gas = g.gas;
    auto oog = std::make_unique<wabt::IfExpr>();
    oog->true_.exprs.push_back(
        std::make_unique<wabt::ConstExpr>(wabt::Const::I64(std::numeric_limits<uint64_t>::max())));
    oog->true_.exprs.push_back(std::make_unique<wabt::GlobalSetExpr>(var(gas)));
    oog->true_.exprs.push_back(std::make_unique<wabt::UnreachableExpr>());

    exprs.insert(at, std::make_unique<wabt::GlobalGetExpr>(var(gas)));
    exprs.insert(at, std::make_unique<wabt::ConstExpr>(wabt::Const::I64(n)));
    exprs.insert(at, std::make_unique<wabt::GlobalGetExpr>(var(g.cost)));
    exprs.insert(at, std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Mul));
    exprs.insert(at, std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Sub));
    exprs.insert(at, std::make_unique<wabt::GlobalGetExpr>(var(g.segment)));
    exprs.insert(at, std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Sub));
    exprs.insert(at, std::make_unique<wabt::GlobalSetExpr>(var(gas)));
    exprs.insert(at, std::make_unique<wabt::GlobalGetExpr>(var(gas)));
    exprs.insert(at, std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
    exprs.insert(at, std::make_unique<wabt::CompareExpr>(wabt::Opcode::I64LtS));
    exprs.insert(at, std::move(oog));
}

void meter(wabt::ExprList& exprs, Counters gas)
{
    auto start = exprs.begin();
    uint64_t count = 0;
    for (auto it = exprs.begin(); it != exprs.end(); ++it)
    {
        ++count;
        switch (it->type())
        {
            case ExprType::Block:
                meter(cast<wabt::BlockExpr>(&*it)->block.exprs, gas);
                break;
            case ExprType::Loop:
                meter(cast<wabt::LoopExpr>(&*it)->block.exprs, gas);
                break;
            case ExprType::If:
                meter(cast<wabt::IfExpr>(&*it)->true_.exprs, gas);
                meter(cast<wabt::IfExpr>(&*it)->false_, gas);
                break;
            default:
                break;
        }
        if (ends_segment(it->type()))
        {
            insert_charge(exprs, start, count, gas);
            start = std::next(it);
            count = 0;
        }
    }
    if (count != 0)
        insert_charge(exprs, start, count, gas);
}

/// Pre-pass over the raw binary: block nesting depth. The IR and the rewrite below recurse on
/// nesting, so a deep module is refused before it is built (the binary reader itself does not
/// recurse).
class NestingCheck final : public wabt::BinaryReaderNop
{
public:
    explicit NestingCheck(uint32_t max_depth) : m_max{max_depth} {}
    bool too_deep = false;

    std::string error;  ///< the reader's first complaint

    bool OnError(const wabt::Error& e) override  // handled: reported by load(), not printed
    {
        if (error.empty())
            error = e.message;
        return true;
    }
    wabt::Result BeginFunctionBody(wabt::Index, wabt::Offset) override
    {
        m_depth = 0;
        return wabt::Result::Ok;
    }
    wabt::Result OnBlockExpr(Type) override { return enter(); }
    wabt::Result OnLoopExpr(Type) override { return enter(); }
    wabt::Result OnIfExpr(Type) override { return enter(); }
    wabt::Result OnEndExpr() override
    {
        if (m_depth > 0)
            --m_depth;
        return wabt::Result::Ok;
    }

private:
    wabt::Result enter()
    {
        if (++m_depth <= m_max)
            return wabt::Result::Ok;
        too_deep = true;
        return wabt::Result::Error;
    }
    uint32_t m_max;
    uint32_t m_depth = 0;
};

bool signature_matches(const wabt::FuncSignature& sig, const HostFnSig& host)
{
    auto to_type = [](char c) { return c == 'i' ? Type(Type::I32) : Type(Type::I64); };
    if (sig.param_types.size() != host.params.size())
        return false;
    for (size_t i = 0; i < host.params.size(); ++i)
        if (sig.param_types[i] != to_type(host.params[i]))
            return false;
    if (host.result == 0)
        return sig.result_types.empty();
    return sig.result_types.size() == 1 && sig.result_types[0] == to_type(host.result);
}

LoadResult check_imports(const wabt::Module& m)
{
    for (const wabt::Import* imp : m.imports)
    {
        const std::string what = imp->module_name + "." + imp->field_name;
        if (imp->kind() != wabt::ExternalKind::Func)
            return fail(LoadStatus::kImport,
                        "import " + what + ": only host functions may be imported");
        if (imp->module_name != "env")
            return fail(LoadStatus::kImport, "import " + what + ": unknown module (only \"env\")");
        const HostFnSig* host = nullptr;
        for (const auto& h : kHostFns)
            if (h.name == imp->field_name)
                host = &h;
        if (host == nullptr)
            return fail(LoadStatus::kImport, "import " + what + ": unknown host function");
        if (!signature_matches(cast<wabt::FuncImport>(imp)->func.decl.sig, *host))
            return fail(LoadStatus::kImport, "import " + what + ": wrong signature");
    }
    return {};
}

LoadResult check_rules(const wabt::Module& m, const LoadLimits& limits)
{
    if (!m.starts.empty())
        return fail(LoadStatus::kStart, "start functions are not allowed");
    if (auto r = check_imports(m); r.status != LoadStatus::kOk)
        return r;

    // Deterministic subset: no float anywhere.
    for (const wabt::TypeEntry* t : m.types)
        if (const auto* ft = wabt::dyn_cast<wabt::FuncType>(t); ft != nullptr && has_float(ft->sig))
            return fail(LoadStatus::kFloat, "float type in a function signature");
    for (const wabt::Global* g : m.globals)
        if (is_float(g->type))
            return fail(LoadStatus::kFloat, "float global");
    const size_t defined = m.funcs.size() - m.num_func_imports;
    if (defined > limits.max_functions)
        return fail(LoadStatus::kLimits, "too many functions: " + std::to_string(defined) + " > " +
                                             std::to_string(limits.max_functions));
    if (m.globals.size() > limits.max_globals)
        return fail(LoadStatus::kLimits, "too many globals");
    for (const wabt::Func* f : m.funcs)
    {
        if (has_float(f->decl.sig))
            return fail(LoadStatus::kFloat, "float type in a function signature");
        for (const auto& [type, count] : f->local_types.decls())
            if (is_float(type) && count != 0)
                return fail(LoadStatus::kFloat, "float local");
        if (f->local_types.size() > limits.max_locals)
            return fail(LoadStatus::kLimits, "too many locals in a function");
        if (const char* what = find_float(f->exprs))
            return fail(LoadStatus::kFloat, std::string("float instruction: ") + what);
    }

    for (const wabt::Memory* mem : m.memories)
    {
        const auto& l = mem->page_limits;
        if (!l.has_max)
            return fail(LoadStatus::kLimits, "memory must declare a maximum size");
        if (l.initial > limits.max_memory_pages || l.max > limits.max_memory_pages)
            return fail(LoadStatus::kLimits,
                        "memory larger than " + std::to_string(limits.max_memory_pages) + " pages");
    }
    for (const wabt::Table* t : m.tables)
    {
        const auto& l = t->elem_limits;
        if (l.initial > limits.max_table_elements ||
            (l.has_max && l.max > limits.max_table_elements))
            return fail(
                LoadStatus::kLimits,
                "table larger than " + std::to_string(limits.max_table_elements) + " elements");
    }

    const wabt::Export* entry = m.GetExport(kEntryExport);
    if (entry == nullptr || entry->kind != wabt::ExternalKind::Func)
        return fail(LoadStatus::kExport, "missing exported function \"call\"");
    const wabt::Func* f = m.GetFunc(entry->var);
    if (f == nullptr || f->decl.sig.GetNumParams() != 0 || f->decl.sig.GetNumResults() != 0)
        return fail(LoadStatus::kExport, "exported \"call\" must have type () -> ()");
    const wabt::Export* mem = m.GetExport(kMemoryExport);
    if (mem == nullptr || mem->kind != wabt::ExternalKind::Memory)
        return fail(LoadStatus::kExport, "missing exported memory \"memory\"");
    return {};
}

}  // namespace

LoadResult load(const uint8_t* wasm, size_t size, const LoadLimits& limits)
{
    if (size > limits.max_module_bytes)
        return fail(LoadStatus::kLimits, "module of " + std::to_string(size) + " bytes exceeds " +
                                             std::to_string(limits.max_module_bytes));
    const wabt::Features features = deterministic_features();
    wabt::Errors errors;
    wabt::Module m;
    const wabt::ReadBinaryOptions read_options(features, nullptr, false, true, false);
    NestingCheck nesting{limits.max_block_depth};
    if (wabt::Failed(wabt::ReadBinary(wasm, size, &nesting, read_options)))
    {
        if (nesting.too_deep)
            return fail(LoadStatus::kLimits,
                        "blocks nested deeper than " + std::to_string(limits.max_block_depth));
        return fail(
            LoadStatus::kMalformed,
            "malformed module: " + (nesting.error.empty() ? "cannot be parsed" : nesting.error));
    }
    if (wabt::Failed(wabt::ReadBinaryIr("module", wasm, size, read_options, &errors, &m)))
        return fail(LoadStatus::kMalformed,
                    "malformed module: " + first_error(errors, "cannot be parsed"));
    if (wabt::Failed(wabt::ValidateModule(&m, &errors, wabt::ValidateOptions(features))))
        return fail(LoadStatus::kInvalid, "invalid module: " + first_error(errors, "rejected"));
    if (auto r = check_rules(m, limits); r.status != LoadStatus::kOk)
        return r;

    // Metering: three fresh mutable i64 globals, the gas per segment, the gas per instruction
    // and the gas left (imports of globals are refused, so they are the last three indices),
    // then every function body.
    const auto first = static_cast<wabt::Index>(m.globals.size());
    for (int i = 0; i < 3; ++i)
    {
        auto field = std::make_unique<wabt::GlobalModuleField>();
        field->global.type = Type::I64;
        field->global.mutable_ = true;
        field->global.init_expr.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
        m.AppendField(std::move(field));
    }
    const Counters counters{first, first + 1, first + 2};
    for (size_t i = m.num_func_imports; i < m.funcs.size(); ++i)
        meter(m.funcs[i]->exprs, counters);

    wabt::MemoryStream stream;
    const wabt::WriteBinaryOptions write_options(features, true, false, false);
    if (wabt::Failed(wabt::WriteBinaryModule(&stream, &m, write_options)))
        return fail(LoadStatus::kInvalid, "module cannot be re-encoded");
    LoadResult r;
    r.instrumented = std::move(stream.output_buffer().data);
    // The interpreter must take the metered form (execution relies on it); checked once here.
    wabt::interp::ModuleDesc desc;
    if (wabt::Failed(wabt::interp::ReadBinaryInterp(
            "metered", r.instrumented.data(), r.instrumented.size(), read_options, &errors, &desc)))
        return fail(LoadStatus::kInvalid,
                    "metered module rejected: " + first_error(errors, "by the interpreter"));
    return r;
}

}  // namespace l2::execution::wasm::bridge
