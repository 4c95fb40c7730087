// Module execution (C++17, wabt interpreter): instantiate an instrumented module with the host
// functions as its "env" imports and run its `call` export under the injected gas counter.
#include "wabt_bridge.hpp"
#include "wabt_internal.hpp"

#include <algorithm>
#include <limits>

#include <wabt/binary-reader.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

namespace l2::execution::wasm::bridge {
namespace {

namespace interp = wabt::interp;

constexpr uint64_t kOutOfGasMark = std::numeric_limits<uint64_t>::max();

interp::ValueType to_type(char c)
{
    return c == 'i' ? interp::ValueType(wabt::Type::I32) : interp::ValueType(wabt::Type::I64);
}

interp::FuncType func_type(const HostFnSig& sig)
{
    interp::ValueTypes params;
    for (const char c : sig.params)
        params.push_back(to_type(c));
    interp::ValueTypes results;
    if (sig.result != 0)
        results.push_back(to_type(sig.result));
    return interp::FuncType(std::move(params), std::move(results));
}

/// What the host callbacks need; filled in once the instance exists.
struct Session
{
    HostDispatcher& host;
    interp::Memory* memory = nullptr;
    interp::Global* gas = nullptr;
    HostStatus stop = HostStatus::kOk;  ///< why a host function stopped the module
    std::string message;
};

interp::HostFunc::Callback make_callback(interp::Store& store, Session& s, HostFn fn)
{
    return [&store, &s, fn](interp::Thread&, const interp::Values& params, interp::Values& results,
                            interp::Trap::Ptr* trap) -> wabt::Result {
        const HostFnSig& sig = kHostFns[static_cast<size_t>(fn)];
        HostCall call{};
        call.fn = fn;
        for (size_t i = 0; i < sig.params.size() && i < call.args.size(); ++i)
            call.args[i] = sig.params[i] == 'i' ? uint64_t{params[i].Get<interp::u32>()}
                                                : params[i].Get<interp::u64>();
        call.memory = s.memory->UnsafeData();
        call.memory_size = s.memory->ByteSize();
        call.gas_left = s.gas->Get().Get<interp::u64>();
        std::string message;
        const HostStatus status = s.host.dispatch(call, message);
        s.gas->UnsafeSet(
            interp::Value::Make(status == HostStatus::kOutOfGas ? kOutOfGasMark : call.gas_left));
        if (status != HostStatus::kOk)
        {
            s.stop = status;
            s.message = message;
            *trap = interp::Trap::New(store, message.empty() ? std::string("host stop") : message);
            return wabt::Result::Error;
        }
        if (sig.result == 'i')
            results[0] = interp::Value::Make(static_cast<interp::u32>(call.result));
        else if (sig.result == 'l')
            results[0] = interp::Value::Make(call.result);
        return wabt::Result::Ok;
    };
}

RunResult result(RunStatus status, uint64_t gas_left, std::string message)
{
    RunResult r;
    r.status = status;
    r.gas_left = gas_left;
    r.message = std::move(message);
    return r;
}

}  // namespace

struct PreparedModule
{
    interp::ModuleDesc desc;
};

std::shared_ptr<const PreparedModule> prepare(const uint8_t* instrumented,
                                              size_t size,
                                              std::string& error)
{
    const wabt::Features features = deterministic_features();
    wabt::Errors errors;
    auto prepared = std::make_shared<PreparedModule>();
    const wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
    if (wabt::Failed(interp::ReadBinaryInterp("module", instrumented, size, options, &errors,
                                              &prepared->desc)))
    {
        error = "instrumented module does not load";
        return nullptr;
    }
    return prepared;
}

InstanceShape shape_of(const PreparedModule& module) noexcept
{
    InstanceShape shape;
    shape.functions = static_cast<uint32_t>(module.desc.funcs.size());
    for (const interp::MemoryDesc& m : module.desc.memories)
    {
        // load() admits only memories with a maximum; the initial size bounds one without.
        const wabt::Limits& limits = m.type.limits;
        shape.max_pages += static_cast<uint32_t>(limits.has_max ? limits.max : limits.initial);
    }
    return shape;
}

size_t footprint(const PreparedModule& module) noexcept
{
    const interp::ModuleDesc& d = module.desc;
    size_t bytes = sizeof(PreparedModule) + d.istream.end();
    for (const interp::DataDesc& data : d.datas)
        bytes += sizeof data + data.data.size();
    for (const interp::FuncDesc& f : d.funcs)
        bytes += sizeof f + f.locals.size() * sizeof(interp::LocalDesc) +
                 f.handlers.size() * sizeof(interp::HandlerDesc) +
                 (f.type.params.size() + f.type.results.size()) * sizeof(wabt::Type);
    bytes += d.func_types.size() * sizeof(interp::FuncType) +
             d.imports.size() * sizeof(interp::ImportDesc) +
             d.exports.size() * sizeof(interp::ExportDesc) +
             d.elems.size() * sizeof(interp::ElemDesc) +
             d.globals.size() * sizeof(interp::GlobalDesc);
    return bytes;
}

RunResult run(const PreparedModule& prepared,
              HostDispatcher& host,
              uint64_t gas_limit,
              uint64_t instruction_cost,
              uint64_t segment_cost)
{
    // The charge subtracts first and checks the sign (wabt_loader.cpp): the gas left must fit
    // a signed i64.
    gas_limit = std::min(gas_limit, kMaxGasLimit);
    const wabt::Features features = deterministic_features();
    interp::ModuleDesc desc = prepared.desc;  // Module::New consumes its description

    interp::Store store(features);
    interp::Module::Ptr module = interp::Module::New(store, std::move(desc));
    Session session{host};

    // Imports: the load step admitted only "env" functions of the host API.
    interp::RefVec imports;
    std::vector<interp::HostFunc::Ptr> host_funcs;
    for (const interp::ImportType& imp : module->import_types())
    {
        size_t index = kHostFns.size();
        for (size_t i = 0; i < kHostFns.size(); ++i)
            if (imp.module == "env" && kHostFns[i].name == imp.name)
                index = i;
        if (index == kHostFns.size())
            return result(RunStatus::kBadModule, gas_limit, "unknown import " + imp.name);
        const auto fn = static_cast<HostFn>(index);
        host_funcs.push_back(interp::HostFunc::New(store, func_type(kHostFns[index]),
                                                   make_callback(store, session, fn)));
        imports.push_back(host_funcs.back().ref());
    }

    interp::Trap::Ptr trap;
    interp::Instance::Ptr instance =
        interp::Instance::Instantiate(store, module.ref(), imports, &trap);
    if (!instance)
    {
        // E.g. a data or element segment outside its memory or table: nothing ran, no gas used.
        return result(RunStatus::kTrap, gas_limit,
                      trap ? trap->message() : std::string("instantiation failed"));
    }
    if (instance->memories().empty() || instance->globals().size() < 3)
        return result(RunStatus::kBadModule, gas_limit, "module without memory or gas counter");
    interp::Memory::Ptr memory = store.UnsafeGet<interp::Memory>(instance->memories().front());
    const auto& globals = instance->globals();
    interp::Global::Ptr gas = store.UnsafeGet<interp::Global>(globals.back());
    interp::Global::Ptr cost = store.UnsafeGet<interp::Global>(globals[globals.size() - 2]);
    interp::Global::Ptr segment = store.UnsafeGet<interp::Global>(globals[globals.size() - 3]);
    session.memory = memory.get();
    session.gas = gas.get();

    interp::Func::Ptr entry;
    const auto& exports = module->export_types();
    for (size_t i = 0; i < exports.size(); ++i)
        if (exports[i].name == kEntryExport)
            entry = store.UnsafeGet<interp::Func>(instance->exports()[i]);
    if (!entry)
        return result(RunStatus::kBadModule, gas_limit, "module without \"call\"");

    gas->UnsafeSet(interp::Value::Make(gas_limit));
    cost->UnsafeSet(interp::Value::Make(instruction_cost));
    segment->UnsafeSet(interp::Value::Make(segment_cost));
    interp::Thread thread(store);
    interp::Values params;
    interp::Values results;
    const wabt::Result ok = entry->Call(thread, params, results, &trap);

    const uint64_t gas_left = gas->Get().Get<interp::u64>();
    if (gas_left == kOutOfGasMark)
        return result(RunStatus::kOutOfGas, 0, "out of gas");
    switch (session.stop)
    {
        case HostStatus::kOk:
            break;
        case HostStatus::kRevert:
            return result(RunStatus::kRevert, gas_left, session.message);
        case HostStatus::kTrap:
        case HostStatus::kOutOfGas:
            return result(RunStatus::kTrap, gas_left, session.message);
    }
    if (wabt::Failed(ok))
        return result(RunStatus::kTrap, gas_left, trap ? trap->message() : std::string("trap"));
    return result(RunStatus::kOk, gas_left, {});
}

}  // namespace l2::execution::wasm::bridge
