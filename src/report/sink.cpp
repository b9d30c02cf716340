#include "report/sink.h"

#include "report/sinks.h"

namespace deminer {

std::optional<Format> ParseFormat(std::string_view s) {
  if (s == "text") return Format::kText;
  if (s == "json") return Format::kJson;
  if (s == "jsonl") return Format::kJsonl;
  if (s == "sarif") return Format::kSarif;
  if (s == "html") return Format::kHtml;
  return std::nullopt;
}

std::unique_ptr<Sink> MakeSink(Format format, std::ostream& out, const SinkOptions& options) {
  switch (format) {
    case Format::kText:
      return MakeTextSink(out, options.color);
    case Format::kJson:
      return MakeJsonSink(out);
    case Format::kJsonl:
      return MakeJsonlSink(out);
    case Format::kSarif:
      return MakeSarifSink(out);
    case Format::kHtml:
      return MakeHtmlSink(out);
  }
  return MakeTextSink(out, false);
}

void Render(Sink& sink, const RunInfo& run) {
  sink.Begin(run);
  for (const Finding& f : run.scan->findings) sink.Emit(f);
  sink.End(run);
}

}  // namespace deminer
