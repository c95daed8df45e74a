// `hitc completion bash|zsh|fish`: a completion script for the shell. Options come from the
// option table; task, role, node and manifest names from `hitc --complete KIND` at completion
// time (tasks from the hitcfile of the directory the user is in, or the one named with -f).

import { OPTIONS } from './args.ts';

const visible = OPTIONS.filter((o) => !o.hidden);
const flagsOf = (o: (typeof OPTIONS)[number]): string[] => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])];
const valueFlags = (names: readonly string[]): string[] => visible.filter((o) => o.value && names.includes(o.long)).flatMap(flagsOf);
const HOSTS = ['hosts', 'exclude-hosts'];
const ROLES = ['roles'];
const FILES = ['hitcfile', 'identity', 'ssh-config'];
const TASK = ['display'];

export function completionScript(shell: string): string {
  if (shell === 'zsh') return zsh();
  if (shell === 'fish') return fish();
  return bash();
}

function bash(): string {
  const otherValues = visible.filter((o) => o.value && ![...HOSTS, ...ROLES, ...FILES, ...TASK, 'output'].includes(o.long)).flatMap(flagsOf);
  return `# hitc completion for bash: add  source <(hitc completion bash)  to ~/.bashrc
_hitc_names() {
  local i f=()
  # the hitcfile the command line names, else the one hitc finds from here
  for ((i = 1; i < \${#_hitc_words[@]}; i++)); do
    case \${_hitc_words[i]} in -f|--hitcfile) f=(-f "\${_hitc_words[i+1]}") ;; --hitcfile=*) f=(-f "\${_hitc_words[i]#*=}") ;; esac
  done
  command hitc "\${f[@]}" --complete "$1" 2>/dev/null
}
_hitc_complete() {
  # words are read from the line itself: bash splits COMP_WORDS at ":" and "=", and task words
  # (ensemble.up:web) hold both
  local line=\${COMP_LINE:0:COMP_POINT} cur prev
  local -a _hitc_words
  read -r -a _hitc_words <<< "$line"
  if [[ -z $line || $line =~ [[:space:]]$ ]]; then cur=''; prev=\${_hitc_words[-1]:-}
  else cur=\${_hitc_words[-1]}; prev=\${_hitc_words[-2]:-}; fi
  local base='' word=$cur names='' list=''
  COMPREPLY=()
  case $prev in
    ${valueFlags(HOSTS).join('|')}) names=$(_hitc_names nodes); list=1 ;;
    ${valueFlags(ROLES).join('|')}) names=$(_hitc_names roles); list=1 ;;
    ${valueFlags(FILES).join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    ${valueFlags(TASK).join('|')}) names=$(_hitc_names tasks) ;;
    --output) names='stream grouped' ;;
    ${otherValues.join('|')}) return ;;
    completion) names='bash zsh fish' ;;
    *)
      if [[ $cur == -* ]]; then names='${visible.flatMap(flagsOf).join(' ')}'
      elif [[ $cur == ensemble.*:* ]]; then base=\${cur%%:*}:; word=\${cur#*:}; names=$(_hitc_names manifests)
      else names=$(_hitc_names tasks); [[ \${#_hitc_words[@]} -le 2 ]] && names+=' completion'; fi ;;
  esac
  # host and role lists are comma separated: complete the last item
  if [[ -n $list && $word == *,* ]]; then base=\${word%,*},; word=\${word##*,}; fi
  local n
  for n in $(compgen -W "$names" -- "$word"); do COMPREPLY+=("$base$n"); done
  # bash replaces only the part of the word after its last ":" (a COMP_WORDBREAKS character)
  if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
    local colon=\${cur%"\${cur##*:}"} i
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]=\${COMPREPLY[i]#"$colon"}; done
  fi
}
complete -F _hitc_complete hitc
`;
}

function zsh(): string {
  const otherValues = visible.filter((o) => o.value && ![...HOSTS, ...ROLES, ...FILES, ...TASK, 'output'].includes(o.long)).flatMap(flagsOf);
  return `#compdef hitc
# hitc completion for zsh: add  source <(hitc completion zsh)  to ~/.zshrc (after compinit)
_hitc_names() {
  local -a f
  local i=\${words[(i)-f]}
  (( i < CURRENT )) && f=(-f "\${words[i+1]}")
  command hitc "\${f[@]}" --complete "$1" 2>/dev/null
}
_hitc() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  local -a names
  case $prev in
    ${valueFlags(HOSTS).join('|')}) compset -P '*,'; names=(\${(f)"$(_hitc_names nodes)"}) ;;
    ${valueFlags(ROLES).join('|')}) compset -P '*,'; names=(\${(f)"$(_hitc_names roles)"}) ;;
    ${valueFlags(FILES).join('|')}) _files; return ;;
    ${valueFlags(TASK).join('|')}) names=(\${(f)"$(_hitc_names tasks)"}) ;;
    --output) names=(stream grouped) ;;
    ${otherValues.join('|')}) return ;;
    completion) names=(bash zsh fish) ;;
    *)
      if [[ $cur == -* ]]; then names=(${visible.flatMap(flagsOf).join(' ')})
      elif [[ $cur == ensemble.*:* ]]; then compset -P '*:'; names=(\${(f)"$(_hitc_names manifests)"})
      else names=(\${(f)"$(_hitc_names tasks)"}); (( CURRENT == 2 )) && names+=(completion); fi ;;
  esac
  compadd -S '' -- $names
}
compdef _hitc hitc
`;
}

function fish(): string {
  const lines = visible.map((o) => {
    const kind = HOSTS.includes(o.long) ? " -x -a '(__hitc_names nodes)'" : ROLES.includes(o.long) ? " -x -a '(__hitc_names roles)'" : FILES.includes(o.long) ? ' -r -F' : TASK.includes(o.long) ? " -x -a '(__hitc_names tasks)'" : o.long === 'output' ? " -x -a 'stream grouped'" : o.value ? ' -x' : '';
    return `complete -c hitc${o.short ? ` -s ${o.short}` : ''} -l ${o.long}${kind} -d ${fishQuote(o.help)}`;
  });
  return `# hitc completion for fish: hitc completion fish > ~/.config/fish/completions/hitc.fish
function __hitc_names
    set -l f
    set -l words (commandline -opc)
    set -l i (contains -i -- -f $words)
    and set f -f $words[(math $i + 1)]
    command hitc $f --complete $argv[1] 2>/dev/null
end
function __hitc_words
    set -l cur (commandline -ct)
    if string match -q -- 'ensemble.*:*' $cur
        set -l task (string split -m1 : -- $cur)[1]
        for m in (__hitc_names manifests)
            echo $task:$m
        end
    else
        __hitc_names tasks
    end
end
complete -c hitc -f
complete -c hitc -n '__fish_is_first_arg' -a completion -d 'print a completion script'
complete -c hitc -n '__fish_seen_subcommand_from completion' -x -a 'bash zsh fish'
complete -c hitc -n 'not __fish_seen_subcommand_from completion; and not string match -q -- "-*" (commandline -ct)' -a '(__hitc_words)'
${lines.join('\n')}
`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
