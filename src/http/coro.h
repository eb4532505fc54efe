#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>

#include "src/common/io.h"

namespace tether::http {

// Short names for what the http room's coroutines use; the I/O types and
// kNoThrow come from src/common/io.h.
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

}  // namespace tether::http
