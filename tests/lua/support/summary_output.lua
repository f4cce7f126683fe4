-- busted output handler: utfTerminal + a closing "N passed, N failed" line for CI log readers.
return function(options)
  local busted = require 'busted'
  local handler = require 'busted.outputHandlers.utfTerminal'(options)
  busted.subscribe({ 'suite', 'end' }, function(_, count, total)
    if count == total then
      io.write(('%d passed, %d failed\n'):format(handler.successesCount,
        handler.failuresCount + handler.errorsCount))
    end
    return nil, true
  end)
  return handler
end
