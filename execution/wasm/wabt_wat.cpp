// WebAssembly text to binary (C++17, wabt's WAT parser): for tools and tests.
#include "wabt_bridge.hpp"

#include <memory>

#include <wabt/binary-writer.h>
#include <wabt/error-formatter.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/wast-lexer.h>
#include <wabt/wast-parser.h>

namespace l2::execution::wasm::bridge {

bool wat_to_wasm(std::string_view wat, std::vector<uint8_t>& out, std::string& error)
{
    // Default features on purpose: the text may use what the loader refuses (e.g. floats).
    const wabt::Features features;
    wabt::Errors errors;
    auto lexer = wabt::WastLexer::CreateBufferLexer("module.wat", wat.data(), wat.size(), &errors);
    std::unique_ptr<wabt::Module> module;
    wabt::WastParseOptions parse_options(features);
    if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options)))
    {
        error = wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
        return false;
    }
    wabt::MemoryStream stream;
    const wabt::WriteBinaryOptions write_options(features, true, false, false);
    if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), write_options)))
    {
        error = "cannot encode the module";
        return false;
    }
    out = std::move(stream.output_buffer().data);
    return true;
}

}  // namespace l2::execution::wasm::bridge
